/**
 * The parts of k6/http that hold no VU state and need no HTTP client, shared
 * by the main thread's module (http.ts) and the sync VUs' worker module
 * (sync/worker-http.ts), which must load without undici.
 */
import { randomBytes } from 'node:crypto';
import { CookieJar } from './cookies.ts';

/** A marker object returned by http.expectedStatuses (k6 `expectedStatuses`). */
export class ExpectedStatuses {
  constructor(readonly ranges: Array<{ min: number; max: number }>) {}
  matches(status: number): boolean {
    return this.ranges.some((r) => status >= r.min && status <= r.max);
  }
}

/** The blocking request functions of k6/http (a script that uses one runs on the sync path). */
export const BLOCKING = ['get', 'head', 'post', 'put', 'patch', 'del', 'options', 'request', 'batch'] as const;
/**
 * The module-level helpers of k6/http that hold no VU state, shared by the
 * main thread's module and the sync VUs' worker module.
 */
export function httpHelpers() {
  return { expectedStatuses, checkResponseCallback, url };
}

/**
 * Request params as they arrive from a worker thread: a responseCallback made
 * by http.expectedStatuses() there lost its class on the way; rebuild it.
 */
export function reviveParams(params: unknown): Record<string, unknown> | undefined {
  if (!params || typeof params !== 'object') return undefined;
  const p = params as Record<string, unknown>;
  const cb = p.responseCallback as { ranges?: Array<{ min: number; max: number }> } | null | undefined;
  if (cb && !(cb instanceof ExpectedStatuses) && Array.isArray(cb.ranges))
    return { ...p, responseCallback: new ExpectedStatuses(cb.ranges) };
  return p;
}

/** k6 `http.expectedStatuses(...)`: numbers and {min, max} ranges. */
export function expectedStatuses(...args: unknown[]): ExpectedStatuses {
  const ranges = args.map((a) => {
    if (typeof a === 'number' && Number.isInteger(a)) return { min: a, max: a };
    const r = a as { min?: unknown; max?: unknown };
    if (r && typeof r.min === 'number' && typeof r.max === 'number') return { min: r.min, max: r.max };
    throw new Error(`expectedStatuses takes integers and {min, max} objects, got ${JSON.stringify(a)}`);
  });
  return new ExpectedStatuses(ranges);
}

export function checkResponseCallback(cb: unknown): void {
  if (cb !== null && !(cb instanceof ExpectedStatuses))
    throw new Error('setResponseCallback only accepts the result of http.expectedStatuses() or null');
}

/** k6 `http.url` template tag: the `name` tag keeps the placeholders. */
export function url(strings: TemplateStringsArray, ...values: unknown[]): { url: string; name: string } {
  let u = strings[0];
  let name = strings[0];
  values.forEach((v, i) => {
    u += String(v) + strings[i + 1];
    name += '${}' + strings[i + 1];
  });
  return { url: u, name };
}

/** The VU's default cookie jar (k6 `http.cookieJar()`); VU.runIteration empties it per iteration. */
export function vuCookieJar(vu: { cookieJar: unknown }): CookieJar {
  return (vu.cookieJar ??= new CookieJar()) as CookieJar;
}

/** The request's headers with the jar's and params' cookies added to any Cookie header the script set. */
export function withCookie(headers: Record<string, string>, cookie: string): Record<string, string> {
  const out = { ...headers };
  const k = Object.keys(out).find((h) => h.toLowerCase() === 'cookie');
  if (k) out[k] = `${out[k]}; ${cookie}`;
  else out.Cookie = cookie;
  return out;
}

/** k6 `http.file(data, [filename], [contentType])`: a part of a multipart body. */
export class FileData {
  constructor(
    readonly data: string | ArrayBuffer,
    readonly filename: string,
    readonly content_type: string,
  ) {}
}

/** k6 `http.file()`: `filename` defaults to the current time in ms, `contentType` to application/octet-stream. */
export function file(data: unknown, filename?: unknown, contentType?: unknown): FileData {
  let d: string | ArrayBuffer;
  if (typeof data === 'string') d = data;
  else if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === '[object ArrayBuffer]')
    d = data as ArrayBuffer;
  else if (ArrayBuffer.isView(data))
    d = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  else throw new Error('http.file() takes a string or an ArrayBuffer as data');
  return new FileData(
    d,
    filename === undefined ? String(Date.now()) : String(filename),
    contentType === undefined ? 'application/octet-stream' : String(contentType),
  );
}

/** True for an http.file() value (also one that crossed threads as plain data). */
export function isFileData(v: unknown): v is FileData {
  return (
    v instanceof FileData ||
    (v !== null &&
      typeof v === 'object' &&
      'data' in v &&
      'filename' in v &&
      'content_type' in v &&
      Object.keys(v).length === 3)
  );
}

/**
 * A k6 object body that holds an http.file() becomes multipart/form-data
 * (k6 docs "Multipart request"): fields as parts, files with their filename
 * and content type. Returns null when the body has no file.
 */
export function multipartBody(body: Record<string, unknown>): { boundary: string; data: Buffer } | null {
  if (!Object.values(body).some(isFileData)) return null;
  const boundary = `----k6boundary${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [name, v] of Object.entries(body)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeQuotes(name)}"`;
    let data: Buffer;
    if (isFileData(v)) {
      head += `; filename="${escapeQuotes(v.filename)}"\r\nContent-Type: ${v.content_type}`;
      data = typeof v.data === 'string' ? Buffer.from(v.data, 'utf8') : Buffer.from(v.data);
    } else data = Buffer.from(String(v), 'utf8');
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), data, Buffer.from('\r\n', 'utf8'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return { boundary, data: Buffer.concat(chunks) };
}

const escapeQuotes = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
