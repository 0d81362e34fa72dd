/**
 * `k6/http` inside a sync VU's worker: every request form blocks the VU, as
 * in k6, while the main thread sends it with the engine's own request path
 * (same client, same metrics, same tags). `asyncRequest` works too (it
 * blocks, then hands back a resolved Promise).
 */
import type { VU } from '../vu.ts';
import { K6Response } from '../http/response.ts';
import { esm } from '../modules/esm.ts';
import { file, httpHelpers, vuCookieJar } from '../modules/http-shared.ts';
import { CookieJar } from '../modules/cookies.ts';
import type { Blocker } from './blocking.ts';
import type { RequestCall } from './protocol.ts';

type Params = Record<string, unknown> | undefined;

/** Builds the worker's `k6/http` for one VU. */
export function createWorkerHttp(vu: VU, blocker: Blocker) {
  // setResponseCallback() is often called in init code, where main is not
  // listening yet: keep it here and send it with each request.
  let responseCallback: unknown = undefined;

  // Each request names the cookie jar it uses (its params.jar or the VU's
  // default); the jar's cookies go to the main thread with the request and
  // come back with the response.
  const withDefaults = (params: unknown, jars: CookieJar[]): Params => {
    const p = params && typeof params === 'object' ? { ...(params as Record<string, unknown>) } : {};
    if (p.responseCallback === undefined && responseCallback !== undefined) p.responseCallback = responseCallback;
    const jar = p.jar instanceof CookieJar ? p.jar : vuCookieJar(vu);
    jars.push(jar);
    p.jar = jar;
    return p;
  };

  function send(calls: RequestCall[]): K6Response[] {
    if (vu.inInit) throw new Error('making requests in the init context is not supported');
    const jars: CookieJar[] = [];
    const out = blocker.call({
      t: 'http',
      group: vu.groupPath,
      userTags: vu.userTags,
      calls: calls.map(([m, u, b, p]) => [m, u, b, withDefaults(p, jars)]),
    }) as { responses: object[]; jars: CookieJar['cookies'][] };
    out.jars.forEach((cookies, i) => (jars[i].cookies = cookies));
    return out.responses.map((r) => Object.setPrototypeOf(r, K6Response.prototype) as K6Response);
  }

  const request = (method: string, url: unknown, body?: unknown, params?: unknown): K6Response =>
    send([[String(method), url, body ?? null, params]])[0];

  /** k6 http.batch: an array or object of URLs, [method, url, body, params] arrays or {method, url, body, params}. */
  function batch(reqs: unknown): unknown {
    if (!reqs || typeof reqs !== 'object') throw new Error('http.batch() takes an array or an object of requests');
    const keys = Object.keys(reqs as object);
    const calls = keys.map((k) => batchCall((reqs as Record<string, unknown>)[k]));
    const res = send(calls);
    if (Array.isArray(reqs)) return res;
    return Object.fromEntries(keys.map((k, i) => [k, res[i]]));
  }

  const h = httpHelpers();
  const mod: Record<string, unknown> = {
    request,
    get: (url: unknown, params?: unknown) => request('GET', url, null, params),
    head: (url: unknown, params?: unknown) => request('HEAD', url, null, params),
    options: (url: unknown, body?: unknown, params?: unknown) => request('OPTIONS', url, body, params),
    del: (url: unknown, body?: unknown, params?: unknown) => request('DELETE', url, body, params),
    post: (url: unknown, body?: unknown, params?: unknown) => request('POST', url, body, params),
    put: (url: unknown, body?: unknown, params?: unknown) => request('PUT', url, body, params),
    patch: (url: unknown, body?: unknown, params?: unknown) => request('PATCH', url, body, params),
    batch,
    asyncRequest: (method: string, url: unknown, body?: unknown, params?: unknown): Promise<K6Response> => {
      try {
        return Promise.resolve(request(method, url, body, params));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    expectedStatuses: h.expectedStatuses,
    setResponseCallback(cb: unknown): void {
      h.checkResponseCallback(cb);
      responseCallback = cb;
    },
    url: h.url,
    file,
    CookieJar,
    cookieJar: () => vuCookieJar(vu),
    TLS_1_2: 'tls1.2',
    TLS_1_3: 'tls1.3',
  };
  return esm(mod);
}

function batchCall(r: unknown): RequestCall {
  if (typeof r === 'string') return ['GET', r, null, undefined];
  if (Array.isArray(r)) return [String(r[0] ?? 'GET'), r[1], r[2] ?? null, r[3]];
  if (r && typeof r === 'object') {
    const o = r as Record<string, unknown>;
    if ('url' in o && !('method' in o) && 'name' in o) return ['GET', o, null, undefined]; // an http.url`` value
    return [String(o.method ?? 'GET'), o.url, o.body ?? null, o.params];
  }
  throw new Error(`http.batch(): a request must be a URL, an array or an object, got ${JSON.stringify(r)}`);
}
