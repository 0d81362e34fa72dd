/** Shapes a module object the way esbuild's CommonJS interop expects an ES module. */
export function esm<T extends object>(named: T): T & { default: T; __esModule: true } {
  const m = named as T & { default: T; __esModule: true };
  Object.defineProperty(m, '__esModule', { value: true });
  m.default = named;
  return m;
}

/** True for `async function` / `async () =>` (also from the script's VM realm). */
export function isAsyncFunction(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as { constructor?: { name?: string } }).constructor?.name === 'AsyncFunction';
}

/** True for anything thenable. */
export function isThenable(v: unknown): boolean {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as { then?: unknown }).then === 'function'
  );
}
