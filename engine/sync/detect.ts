/**
 * Which scripts run on the sync path. A script is sync when its bundled
 * source uses one of k6/http's blocking functions by name (`http.get(...)`,
 * `http.post`, `put`, `patch`, `del`, `head`, `options`, `request`, `batch`,
 * imported by default, as a namespace or by name): the way k6's documentation
 * writes scripts. Its VUs (and setup/teardown) then each run in a worker
 * thread where those calls and sleep() block, as in k6. A script that uses
 * only `http.asyncRequest` runs on the event loop, where sleep() returns a
 * Promise to await.
 */
import { BLOCKING } from '../modules/http-shared.ts';

/** True when the factory source (CommonJS, from bundle.ts) uses a blocking k6/http function. */
export function usesBlockingCalls(source: string): boolean {
  // esbuild binds each `import ... from 'k6/http'` to a variable:
  //   var import_http = __toESM(require("k6/http"));   (default or named imports)
  //   var http = __toESM(require("k6/http"));          (import * as http)
  const bindings = [
    ...source.matchAll(/\b(?:var|let|const)\s+([\w$]+)\s*=\s*(?:__toESM\()?require\("k6\/http"\)/g),
  ].map((m) => m[1]);
  if (bindings.length === 0) return false;
  const names = BLOCKING.join('|');
  return bindings.some((b) =>
    new RegExp(`(?<![\\w$.])${b.replace(/\$/g, '\\$')}(?:\\.default)?\\.(?:${names})(?![\\w$])`).test(source),
  );
}
