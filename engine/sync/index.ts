/**
 * engine/sync/: synchronous k6 scripts (`http.get(...)`, `sleep(1)` that
 * blocks) on the embedded engine. Each VU of such a script runs in a worker
 * thread and blocks on `Atomics.wait` while the main thread sends its
 * requests with the engine's own request path (detect.ts says which scripts).
 */
export { usesBlockingCalls } from './detect.ts';
export { RemoteVu, WorkerPrefetch, type AsyncRequest } from './remote-vu.ts';
