/**
 * k6's `Response` object (k6 docs "Response"; k6 js/modules/k6/http/response.go).
 */
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import type { RawResponse, Timings } from './client.ts';
import { selectJson } from '../modules/json-selector.ts';

/** Go's http.CanonicalHeaderKey: "content-type" -> "Content-Type". */
export function canonicalHeaderKey(k: string): string {
  let c = canonical.get(k);
  if (c === undefined) {
    c = k.replace(/(^|-)([a-z])/g, (_m, p: string, ch: string) => p + ch.toUpperCase());
    // header names repeat across requests: remember them (bounded)
    if (canonical.size < 10_000) canonical.set(k, c);
  }
  return c;
}
const canonical = new Map<string, string>();

/** The request as the Response exposes it (k6 `Response.request`). */
export interface ResponseRequest {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: string;
  cookies: Record<string, unknown>;
}

/** k6 Response. */
export class K6Response {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  headers: Record<string, string>;
  body: string | ArrayBuffer | null;
  timings: Timings;
  error: string;
  error_code: number;
  request: ResponseRequest;
  cookies: Record<string, unknown> = {};
  tls_version = '';
  tls_cipher_suite = '';
  ocsp = { produced_at: 0, this_update: 0, next_update: 0, revocation_reason: '', revoked_at: 0, status: '' };
  private parsed: { v: unknown } | null = null;

  constructor(raw: RawResponse, url: string, responseType: string, request: ResponseRequest) {
    this.status = raw.status;
    this.status_text = raw.status ? `${raw.status} ${raw.statusText}`.trim() : '';
    this.proto = raw.status ? 'HTTP/1.1' : '';
    this.url = url;
    this.headers = {};
    for (const k of Object.keys(raw.headers)) this.headers[canonicalHeaderKey(k)] = raw.headers[k];
    this.timings = raw.timings;
    this.error = raw.error ? raw.error.message : '';
    this.error_code = raw.error ? raw.error.code : 0;
    this.request = request;
    this.body = decodeBody(raw, responseType, this);
  }

  /**
   * Parses the body as JSON; with a selector, returns the value at that path
   * (the subset of k6's gjson syntax in modules/json-selector.ts).
   */
  json(selector?: string): unknown {
    if (typeof this.body !== 'string') {
      throw new Error(
        this.body === null
          ? "the body is null so we can't transform it to JSON - this likely was because of a request error getting the response"
          : 'the body is not text: use responseType "text" to call json()',
      );
    }
    if (!this.parsed) this.parsed = { v: JSON.parse(this.body) };
    if (selector === undefined) return this.parsed.v;
    return selectJson(this.parsed.v, String(selector));
  }

  html(): never {
    throw new Error(
      'Response.html() is not supported by the embedded engine; run the script with real k6 (--engine k6)',
    );
  }
}

function decodeBody(raw: RawResponse, responseType: string, res: K6Response): string | ArrayBuffer | null {
  if (raw.error && raw.status === 0) return null;
  if (responseType === 'none') return null;
  let buf = raw.body;
  const enc = (raw.headers['content-encoding'] ?? '').toLowerCase();
  try {
    // k6 decompresses gzip, deflate and br bodies by default
    if (enc === 'gzip') buf = gunzipSync(buf);
    else if (enc === 'deflate') buf = inflateSync(buf);
    else if (enc === 'br') buf = brotliDecompressSync(buf);
  } catch (e) {
    res.error = `error decompressing the response body: ${(e as Error).message}`;
    res.error_code = 1701;
  }
  if (responseType === 'binary')
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  return buf.toString('utf8');
}
