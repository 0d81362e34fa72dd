/**
 * The `k6/crypto` module (k6 docs "k6/crypto"; k6 js/modules/k6/crypto):
 * hashes, HMAC, createHash/createHMAC with update/digest, randomBytes.
 * Output encodings: "hex", "base64", "base64url" (padded), "base64rawurl"
 * (unpadded) and "binary" (an ArrayBuffer). md4 is computed here (Node's
 * OpenSSL 3 no longer offers it); the rest come from node:crypto.
 */
import { createHash as nodeHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { esm } from './esm.ts';
import { md4 } from './md4.ts';

/** k6's algorithm names -> node:crypto's. */
const ALGORITHMS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

function algorithm(name: unknown): string {
  const a = ALGORITHMS[String(name)];
  if (!a)
    throw new Error(`invalid algorithm "${String(name)}"; k6/crypto supports ${Object.keys(ALGORITHMS).join(', ')}`);
  return a;
}

function bytes(input: unknown): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  if (input instanceof ArrayBuffer || Object.prototype.toString.call(input) === '[object ArrayBuffer]')
    return Buffer.from(input as ArrayBuffer);
  if (ArrayBuffer.isView(input)) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (Array.isArray(input)) return Buffer.from(input as number[]);
  throw new Error('k6/crypto takes a string or an ArrayBuffer as input');
}

/** A digest in one of k6's output encodings. */
export function encodeDigest(d: Buffer, encoding: unknown): string | ArrayBuffer {
  switch (encoding) {
    case 'hex':
      return d.toString('hex');
    case 'base64':
      return d.toString('base64');
    case 'base64rawurl':
      return d.toString('base64url');
    case 'base64url': {
      const s = d.toString('base64url');
      return s + '='.repeat((4 - (s.length % 4)) % 4);
    }
    case 'binary':
      return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength) as ArrayBuffer;
    default:
      throw new Error(
        `invalid output encoding "${String(encoding)}"; use hex, base64, base64url, base64rawurl or binary`,
      );
  }
}

function digestOf(alg: string, chunks: Buffer[], secret?: Buffer): Buffer {
  if (alg === 'md4') {
    const data = Buffer.concat(chunks);
    return secret ? hmacWith(md4, 64, secret, data) : md4(data);
  }
  const h = secret ? createHmac(alg, secret) : nodeHash(alg);
  for (const c of chunks) h.update(c);
  return h.digest();
}

/** RFC 2104 HMAC over a hash function Node does not offer. */
function hmacWith(hash: (b: Buffer) => Buffer, blockSize: number, key: Buffer, data: Buffer): Buffer {
  let k = key.length > blockSize ? hash(key) : key;
  k = Buffer.concat([k, Buffer.alloc(blockSize - k.length)]);
  const ipad = Buffer.from(k.map((b) => b ^ 0x36));
  const opad = Buffer.from(k.map((b) => b ^ 0x5c));
  return hash(Buffer.concat([opad, hash(Buffer.concat([ipad, data]))]));
}

/** k6 Hasher: update() adds data; digest() may be called along the way. */
class Hasher {
  private readonly chunks: Buffer[] = [];
  constructor(
    private readonly alg: string,
    private readonly secret?: Buffer,
  ) {}
  update(input: unknown): void {
    this.chunks.push(bytes(input));
  }
  digest(encoding: unknown): string | ArrayBuffer {
    return encodeDigest(digestOf(this.alg, this.chunks, this.secret), encoding);
  }
}

/** Builds the `k6/crypto` module (stateless). */
export function createCryptoModule() {
  const hash = (name: string) => (input: unknown, encoding: unknown) =>
    encodeDigest(digestOf(algorithm(name), [bytes(input)]), encoding);
  return esm({
    createHash: (alg: unknown) => new Hasher(algorithm(alg)),
    createHMAC: (alg: unknown, secret: unknown) => new Hasher(algorithm(alg), bytes(secret)),
    hmac: (alg: unknown, secret: unknown, data: unknown, encoding: unknown) =>
      encodeDigest(digestOf(algorithm(alg), [bytes(data)], bytes(secret)), encoding),
    md4: hash('md4'),
    md5: hash('md5'),
    sha1: hash('sha1'),
    sha256: hash('sha256'),
    sha384: hash('sha384'),
    sha512: hash('sha512'),
    sha512_224: hash('sha512_224'),
    sha512_256: hash('sha512_256'),
    ripemd160: hash('ripemd160'),
    randomBytes(size: unknown): ArrayBuffer {
      const n = Number(size);
      if (!Number.isInteger(n) || n < 1) throw new Error(`randomBytes needs a positive integer, got ${String(size)}`);
      const b = nodeRandomBytes(n);
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  });
}
