/**
 * The `k6/encoding` module: b64encode / b64decode (k6 docs "k6/encoding"),
 * with the four variants std, rawstd (no padding), url, rawurl (no padding)
 * and b64decode's output format "s" (a string; an ArrayBuffer otherwise).
 */
import { esm } from './esm.ts';

type B64 = 'std' | 'rawstd' | 'url' | 'rawurl';

function toBuffer(input: unknown): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]')
    return Buffer.from(input as ArrayBuffer);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new Error('b64encode takes a string or an ArrayBuffer');
}

/** Builds the `k6/encoding` module (stateless, so it could be shared; kept per VU for symmetry). */
export function createEncodingModule() {
  function b64encode(input: unknown, encoding: B64 = 'std'): string {
    const buf = toBuffer(input);
    if (encoding === 'url' || encoding === 'rawurl') {
      const s = buf.toString('base64url');
      return encoding === 'url' ? s + '='.repeat((4 - (s.length % 4)) % 4) : s;
    }
    const s = buf.toString('base64');
    return encoding === 'rawstd' ? s.replace(/=+$/, '') : s;
  }
  function b64decode(input: string, encoding: B64 = 'std', format?: 's'): string | ArrayBuffer {
    const text = String(input);
    // Go's decoders reject characters outside the variant's alphabet (k6 throws)
    const url = encoding === 'url' || encoding === 'rawurl';
    if (!(url ? /^[A-Za-z0-9_-]*={0,2}$/ : /^[A-Za-z0-9+/]*={0,2}$/).test(text))
      throw new Error(`b64decode: "${text.slice(0, 40)}" is not valid ${encoding} base64`);
    const buf = Buffer.from(text, url ? 'base64url' : 'base64');
    if (format === 's') return buf.toString('utf8');
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  }
  return esm({ b64encode, b64decode });
}
