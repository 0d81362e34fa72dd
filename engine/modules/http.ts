/**
 * The `k6/http` module (k6 docs "k6/http"; k6 js/modules/k6/http/request.go).
 *
 * The embedded engine runs on Node's event loop and cannot block a VU while a
 * request is in flight, so only the asynchronous form is offered:
 * `await http.asyncRequest(method, url, body, params)` (real k6 has the same
 * function). The blocking forms (`http.get`, `post`, `request`, `batch`...)
 * throw at once with a message that says what to write instead, rather than
 * hand back a wrong result.
 */
import type { Tags } from '../metrics/index.ts';
import type { VU } from '../vu.ts';
import { IterationInterrupted } from '../run-state.ts';
import { parseDuration } from '../../config/index.ts';
import { VuHttpClient, type OutgoingRequest, type RawResponse } from '../http/client.ts';
import { K6Response, type ResponseRequest } from '../http/response.ts';
import { k6ErrorFor } from '../http/error-codes.ts';
import { esm } from './esm.ts';

/** A marker object returned by http.expectedStatuses (k6 `expectedStatuses`). */
class ExpectedStatuses {
  constructor(readonly ranges: Array<{ min: number; max: number }>) {}
  matches(status: number): boolean {
    return this.ranges.some((r) => status >= r.min && status <= r.max);
  }
}

/** k6's default: 200-399 are expected (docs "http.setResponseCallback"). */
const DEFAULT_EXPECTED = new ExpectedStatuses([{ min: 200, max: 399 }]);
const BLOCKING = ['get', 'head', 'post', 'put', 'patch', 'del', 'options', 'request', 'batch'] as const;
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
  return `http.${name}() is a blocking call the embedded engine cannot honour; use \`await http.asyncRequest("${method}", url)\` or run the script with real k6 (--engine k6)`;
}

/** HTTP settings from the test options (k6 options reference). */
export interface HttpSettings {
  userAgent: string;
  noConnectionReuse: boolean;
  discardResponseBodies: boolean;
  maxRedirects: number;
  insecureSkipTLSVerify: boolean;
}

/** Reads the HTTP settings out of consolidated k6 options. */
export function httpSettings(o: Record<string, unknown>): HttpSettings {
  return {
    userAgent: typeof o.userAgent === 'string' ? o.userAgent : 'k6/0.54.0 (https://k6.io/) acgs-load-embedded',
    noConnectionReuse: o.noConnectionReuse === true,
    discardResponseBodies: o.discardResponseBodies === true,
    maxRedirects: typeof o.maxRedirects === 'number' ? o.maxRedirects : 10,
    insecureSkipTLSVerify: o.insecureSkipTLSVerify === true,
  };
}

type Params = {
  headers?: Record<string, unknown>;
  tags?: Record<string, unknown>;
  timeout?: string | number;
  responseType?: string;
  redirects?: number;
  responseCallback?: ExpectedStatuses | null;
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

  // Tag sets repeat (same URL, method, status...): build each once per VU
  // and share it between samples; nothing downstream mutates sample tags.
  let tagCache = new Map<string, Tags>();
  let tagBase: Tags | null = null;
  function requestTags(
    raw: RawResponse,
    method: string,
    url: string,
    name: string,
    userTags: Tags,
    expected: boolean | null,
  ): Tags {
    const base = vu.tags();
    if (base !== tagBase || tagCache.size > 5000) {
      tagBase = base;
      tagCache = new Map();
    }
    // only requests without their own tags are cached (the common case)
    const cacheable = !hasKeys(userTags);
    const key = cacheable
      ? `${method}${raw.status}${expected}${raw.error?.code ?? ''}${name === url ? '' : name}${url}`
      : '';
    let tags = cacheable ? tagCache.get(key) : undefined;
    if (tags) return tags;
    tags = { ...base, proto: raw.status ? 'HTTP/1.1' : '', status: String(raw.status), method, url, name, ...userTags };
    if (userTags.name === undefined) tags.name = name;
    if (expected !== null) tags.expected_response = String(expected);
    if (raw.error) {
      tags.error = raw.error.message;
      tags.error_code = String(raw.error.code);
    }
    if (cacheable) tagCache.set(key, tags);
    return tags;
  }

  function emitRequest(
    raw: RawResponse,
    method: string,
    url: string,
    name: string,
    userTags: Tags,
    cb: ExpectedStatuses | null,
  ): void {
    if (vu.interrupted) return;
    const expected = cb ? raw.error === null && cb.matches(raw.status) : null;
    const tags = requestTags(raw, method, url, name, userTags, expected);
    const t = raw.startEpoch;
    const tm = raw.timings;
    run.emit('http_reqs', 1, tags, t);
    run.emit('http_req_duration', tm.duration, tags, t);
    run.emit('http_req_blocked', tm.blocked, tags, t);
    run.emit('http_req_connecting', tm.connecting, tags, t);
    run.emit('http_req_tls_handshaking', tm.tls_handshaking, tags, t);
    run.emit('http_req_sending', tm.sending, tags, t);
    run.emit('http_req_waiting', tm.waiting, tags, t);
    run.emit('http_req_receiving', tm.receiving, tags, t);
    if (expected !== null) run.emit('http_req_failed', expected ? 0 : 1, tags, t);
    const dataTags = vu.tags();
    if (raw.bytesSent) run.emit('data_sent', raw.bytesSent, dataTags, t);
    if (raw.bytesReceived) run.emit('data_received', raw.bytesReceived, dataTags, t);
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
    const userTags: Tags = {};
    if (p.tags) for (const k of Object.keys(p.tags)) userTags[k] = String(p.tags[k]);
    let redirectsLeft = p.redirects ?? settings.maxRedirects;

    let url: URL;
    try {
      url = new URL(urlStr);
    } catch (e) {
      const err = k6ErrorFor(e);
      run.logger.log('warning', 'Request Failed', { error: err.message });
      throw new Error(`invalid URL "${urlStr}": ${err.message}`);
    }
    let curMethod = m;
    let curBody = payload;
    for (;;) {
      const req: OutgoingRequest = {
        method: curMethod,
        url,
        headers,
        body: curBody,
        timeoutMs,
        noReuse: settings.noConnectionReuse,
      };
      const raw = await client().send(req, register);
      emitRequest(raw, curMethod, url.href, nameTag ?? url.href, userTags, cb);
      if (raw.error)
        run.logger.log('warning', 'Request Failed', {
          error: `${curMethod} ${JSON.stringify(url.href)}: ${raw.error.message}`,
        });
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
        cookies: {},
      } as ResponseRequest;
      return new K6Response(raw, url.href, responseType, request);
    }
  }

  /** k6 `http.expectedStatuses(...)`: numbers and {min, max} ranges. */
  function expectedStatuses(...args: unknown[]): ExpectedStatuses {
    const ranges = args.map((a) => {
      if (typeof a === 'number' && Number.isInteger(a)) return { min: a, max: a };
      const r = a as { min?: unknown; max?: unknown };
      if (r && typeof r.min === 'number' && typeof r.max === 'number') return { min: r.min, max: r.max };
      throw new Error(`expectedStatuses takes integers and {min, max} objects, got ${JSON.stringify(a)}`);
    });
    return new ExpectedStatuses(ranges);
  }

  /** k6 `http.setResponseCallback(cb)`: null turns http_req_failed off. */
  function setResponseCallback(cb: ExpectedStatuses | null): void {
    if (cb !== null && !(cb instanceof ExpectedStatuses))
      throw new Error('setResponseCallback only accepts the result of http.expectedStatuses() or null');
    responseCallback = cb;
  }

  /** k6 `http.url` template tag: the `name` tag keeps the placeholders. */
  function url(strings: TemplateStringsArray, ...values: unknown[]): { url: string; name: string } {
    let u = strings[0];
    let name = strings[0];
    values.forEach((v, i) => {
      u += String(v) + strings[i + 1];
      name += '${}' + strings[i + 1];
    });
    return { url: u, name };
  }

  const mod: Record<string, unknown> = { asyncRequest, expectedStatuses, setResponseCallback, url };
  for (const b of BLOCKING) {
    mod[b] = () => {
      throw new BlockingCallError(b);
    };
  }
  mod.TLS_1_2 = 'tls1.2';
  mod.TLS_1_3 = 'tls1.3';
  return esm(mod);
}

function hasKeys(o: object): boolean {
  for (const _k in o) return true;
  return false;
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
    if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type'))
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) form.append(k, String(v));
    return Buffer.from(form.toString(), 'utf8');
  }
  return Buffer.from(String(body), 'utf8');
}
