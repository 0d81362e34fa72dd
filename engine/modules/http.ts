/**
 * The `k6/http` module (k6 docs "k6/http"; k6 js/modules/k6/http/request.go).
 *
 * A script whose source calls a blocking form (`http.get`, `post`, `request`,
 * `batch`...) runs each VU in a worker thread that blocks while this module,
 * on the main thread, sends the request (engine/sync/). On the main thread the
 * blocking forms exist only to explain themselves: a script that reaches one
 * there hid the call from the engine's detection (e.g. `http[name](...)`).
 * `await http.asyncRequest(method, url, body, params)` works everywhere.
 */
import { randomUUID } from 'node:crypto';
import type { EngineLogger } from '../logger.ts';
import type { Tags } from '../metrics/index.ts';
import type { VU } from '../vu.ts';
import { IterationInterrupted } from '../run-state.ts';
import { parseDuration } from '../../config/index.ts';
import { VuHttpClient, type OutgoingRequest, type RawResponse } from '../http/client.ts';
import { K6Response, type ResponseRequest } from '../http/response.ts';
import { k6ErrorFor } from '../http/error-codes.ts';
import { RequestMetrics } from '../http/request-metrics.ts';
import { RequestRateLimiter } from '../http/rate-limit.ts';
import { esm } from './esm.ts';
import { CookieJar, requestCookies, responseCookies, reviveJar } from './cookies.ts';
import { file, multipartBody, vuCookieJar, withCookie } from './http-shared.ts';
import { BLOCKING, ExpectedStatuses, checkResponseCallback, expectedStatuses, url } from './http-shared.ts';

/** k6's default: 200-399 are expected (docs "http.setResponseCallback"). */
const DEFAULT_EXPECTED = new ExpectedStatuses([{ min: 200, max: 399 }]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/**
 * The error a blocking call throws. The engine cannot run the script as
 * written, so the VU that meets it stops the test as a script error (exit 107)
 * instead of failing every iteration quietly.
 */
export class BlockingCallError extends Error {
  constructor(name: string) {
    super(blockingCallMessage(name));
    this.name = 'BlockingCallError';
  }
}

/** The text of the error a blocking call throws. */
export function blockingCallMessage(name: string): string {
  const method = name === 'del' ? 'DELETE' : name === 'request' || name === 'batch' ? 'METHOD' : name.toUpperCase();
  return `http.${name}() is a blocking call, but the script was loaded as an async script because its source shows no blocking call; call it by name (http.${name}(...)) so the engine runs the script's VUs in worker threads, use \`await http.asyncRequest("${method}", url)\`, or run the script with real k6 (--engine k6)`;
}

/** HTTP settings from the test options (k6 options reference). */
export interface HttpSettings {
  userAgent: string;
  noConnectionReuse: boolean;
  discardResponseBodies: boolean;
  maxRedirects: number;
  insecureSkipTLSVerify: boolean;
  /** `--rps`: one limiter shared by every VU of the run; null without a limit. */
  rpsLimiter: RequestRateLimiter | null;
  /** `-w/--throw`: a failed request (no HTTP response) throws instead of returning a Response with `error`. */
  throwOnError: boolean;
  /** `--http-debug`: log each request and response ('headers'), with bodies ('full'); null: off. */
  httpDebug: 'headers' | 'full' | null;
}

/** Reads the HTTP settings out of consolidated k6 options. */
export function httpSettings(o: Record<string, unknown>): HttpSettings {
  return {
    userAgent: typeof o.userAgent === 'string' ? o.userAgent : 'k6/0.54.0 (https://k6.io/) acgs-load-embedded',
    noConnectionReuse: o.noConnectionReuse === true,
    discardResponseBodies: o.discardResponseBodies === true,
    maxRedirects: typeof o.maxRedirects === 'number' ? o.maxRedirects : 10,
    insecureSkipTLSVerify: o.insecureSkipTLSVerify === true,
    rpsLimiter: typeof o.rps === 'number' && o.rps > 0 ? new RequestRateLimiter(o.rps) : null,
    throwOnError: o.throw === true,
    // k6: a bare --http-debug is "headers"
    httpDebug: o.httpDebug === 'full' ? 'full' : o.httpDebug === '' || o.httpDebug === 'headers' ? 'headers' : null,
  };
}

type Params = {
  headers?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  timeout?: string | number;
  responseType?: string;
  redirects?: number;
  responseCallback?: ExpectedStatuses | null;
  cookies?: Record<string, string | { value?: unknown; replace?: boolean }>;
  jar?: unknown;
};

/** Builds the `k6/http` module for one VU. */
export function createHttpModule(vu: VU, settings: HttpSettings) {
  const run = vu.run;
  let responseCallback: ExpectedStatuses | null = DEFAULT_EXPECTED;

  const client = (): VuHttpClient => {
    if (!vu.http) vu.http = new VuHttpClient(settings.insecureSkipTLSVerify);
    return vu.http as VuHttpClient;
  };
  const register = (cancel: (e: Error) => void): (() => void) => {
    vu.pending.add(cancel);
    return () => vu.pending.delete(cancel);
  };

  let metrics: RequestMetrics | null = null;
  function emitRequest(
    raw: RawResponse,
    method: string,
    url: string,
    name: string,
    userTags: Tags | null,
    cb: ExpectedStatuses | null,
  ): void {
    if (vu.interrupted) return;
    const expected = cb ? raw.error === null && cb.matches(raw.status) : null;
    (metrics ??= new RequestMetrics(run, () => vu.tags())).emit(raw, method, url, name, userTags, expected);
  }

  /** k6 `http.asyncRequest(method, url, [body], [params])`: a Promise of a Response. */
  async function asyncRequest(method: string, urlIn: unknown, body?: unknown, params?: Params): Promise<K6Response> {
    if (vu.inInit) throw new Error('making requests in the init context is not supported');
    if (vu.interrupted) throw new IterationInterrupted();
    const p: Params = params ?? {};
    const m = String(method).toUpperCase();
    const { url: urlStr, name: nameTag } = urlOf(urlIn);
    const headers = requestHeaders(p.headers, settings.userAgent);
    const payload = encodeBody(body, headers);
    const timeoutMs =
      p.timeout === undefined
        ? 60_000
        : (parseDuration(typeof p.timeout === 'number' ? p.timeout : String(p.timeout)) ?? 60_000);
    const responseType = p.responseType ?? (settings.discardResponseBodies ? 'none' : 'text');
    const cb = p.responseCallback !== undefined ? p.responseCallback : responseCallback;
    let userTags: Tags | null = null;
    if (p.tags) for (const k of Object.keys(p.tags)) (userTags ??= {})[k] = String(p.tags[k]);
    let redirectsLeft = p.redirects ?? settings.maxRedirects;

    let url: URL;
    try {
      url = client().parseUrl(urlStr);
    } catch (e) {
      const err = k6ErrorFor(e);
      run.logger.log('warning', 'Request Failed', { error: err.message });
      throw new Error(`invalid URL "${urlStr}": ${err.message}`);
    }
    let curMethod = m;
    let curBody = payload;
    const jar = reviveJar(p.jar) ?? vuCookieJar(vu);
    if (settings.rpsLimiter) {
      const wait = settings.rpsLimiter.reserve();
      if (wait > 0) await vu.wait(wait);
      if (vu.interrupted) throw new IterationInterrupted();
    }
    for (;;) {
      const cookie = jar.cookieHeader(url, p.cookies);
      const req: OutgoingRequest = {
        method: curMethod,
        url,
        headers: cookie ? withCookie(headers, cookie) : headers,
        body: curBody,
        timeoutMs,
        noReuse: settings.noConnectionReuse,
      };
      const debugId = settings.httpDebug ? logRequestDump(run.logger, req, settings.httpDebug) : '';
      const raw = await client().send(req, register);
      if (debugId && !raw.error) logResponseDump(run.logger, raw, settings.httpDebug!, debugId);
      const setCookies = jar.storeSetCookies(url, raw.headers['set-cookie']);
      emitRequest(raw, curMethod, url.href, nameTag ?? url.href, userTags, cb);
      if (raw.error) {
        const error = `${curMethod} ${JSON.stringify(url.href)}: ${raw.error.message}`;
        // k6: with --throw the script gets the error (its metrics are already emitted); else a warning
        if (settings.throwOnError) throw new Error(error);
        run.logger.log('warning', 'Request Failed', { error });
      }
      const location = raw.headers.location;
      if (!raw.error && REDIRECT.has(raw.status) && location && redirectsLeft > 0) {
        redirectsLeft--;
        url = new URL(location, url);
        // 303 (and 301/302 after POST, as browsers and Go do) switch to GET without a body
        if (raw.status === 303 || ((raw.status === 301 || raw.status === 302) && curMethod === 'POST')) {
          curMethod = 'GET';
          curBody = null;
        }
        continue;
      }
      const sentBody = curBody;
      const request = {
        method: curMethod,
        url: url.href,
        // built on first read: most scripts never look at the request
        get headers() {
          return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
        },
        get body() {
          return sentBody ? sentBody.toString('utf8') : '';
        },
        cookies: requestCookies(cookie),
      } as ResponseRequest;
      const res = new K6Response(raw, url.href, responseType, request);
      res.cookies = responseCookies(setCookies);
      return res;
    }
  }

  /** k6 `http.setResponseCallback(cb)`: null turns http_req_failed off. */
  function setResponseCallback(cb: ExpectedStatuses | null): void {
    checkResponseCallback(cb);
    responseCallback = cb;
  }

  const mod: Record<string, unknown> = {
    asyncRequest,
    expectedStatuses,
    setResponseCallback,
    url,
    file,
    CookieJar,
    cookieJar: () => vuCookieJar(vu),
  };
  for (const b of BLOCKING) {
    mod[b] = () => {
      throw new BlockingCallError(b);
    };
  }
  mod.TLS_1_2 = 'tls1.2';
  mod.TLS_1_3 = 'tls1.3';
  return esm(mod);
}

/**
 * `--http-debug`: the request as it goes out, logged at info level as k6's
 * httpDebugTransport does ("Request:\n" and the HTTP/1.1 text, bodies only
 * with 'full'); the id ties it to its response.
 */
function logRequestDump(logger: EngineLogger, req: OutgoingRequest, mode: 'headers' | 'full'): string {
  const id = randomUUID();
  const head = [`${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1`, `Host: ${req.url.host}`];
  for (const [k, v] of Object.entries(req.headers)) head.push(`${k}: ${v}`);
  const body = mode === 'full' && req.body ? req.body.toString('utf8') : '';
  logger.log('info', `Request:\n${head.join('\n')}\n\n${body}\n`, { request_id: id });
  return id;
}

/** `--http-debug`: the response as it came back (k6 logs nothing when the request failed). */
function logResponseDump(logger: EngineLogger, raw: RawResponse, mode: 'headers' | 'full', id: string): void {
  const head = [`HTTP/1.1 ${raw.status} ${raw.statusText}`.trimEnd()];
  for (const [k, v] of Object.entries(raw.headers)) head.push(`${k}: ${v}`);
  const body = mode === 'full' ? raw.body.toString('utf8') : '';
  logger.log('info', `Response:\n${head.join('\n')}\n\n${body}\n`, { request_id: id });
}

function urlOf(u: unknown): { url: string; name?: string } {
  if (u && typeof u === 'object' && 'url' in u)
    return { url: String((u as { url: unknown }).url), name: (u as { name?: string }).name };
  return { url: String(u) };
}

function requestHeaders(h: Record<string, unknown> | undefined, userAgent: string): Record<string, string> {
  const out: Record<string, string> = {};
  let hasUA = false;
  if (h) {
    for (const k of Object.keys(h)) {
      out[k] = String(h[k]);
      if (k.toLowerCase() === 'user-agent') hasUA = true;
    }
  }
  if (!hasUA && userAgent) out['User-Agent'] = userAgent;
  return out;
}

/** k6 bodies: strings, binary, or an object sent as a URL-encoded form. */
function encodeBody(body: unknown, headers: Record<string, string>): Buffer | null {
  if (body === undefined || body === null) return null;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof ArrayBuffer || Object.prototype.toString.call(body) === '[object ArrayBuffer]')
    return Buffer.from(body as ArrayBuffer);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === 'object') {
    const multipart = multipartBody(body as Record<string, unknown>);
    if (multipart) {
      // k6 sets the multipart type itself, with its boundary
      headers['Content-Type'] = `multipart/form-data; boundary=${multipart.boundary}`;
      return multipart.data;
    }
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) form.append(k, String(v));
    return Buffer.from(form.toString(), 'utf8');
  }
  return Buffer.from(String(body), 'utf8');
}
