/**
 * Stateless integer hashing: every random choice of the seeder is a pure
 * function of (seed, table, column, row index, sub-index).
 *
 * Why not one PRNG stream: with a stream, adding a column (or a draw) shifts
 * every later value; with a hash per cell each column's values depend only on
 * its own name, so the data stays byte-identical when the schema grows. The
 * mixer is murmur3's 32-bit finaliser (fmix32), applied twice; it is exact
 * integer arithmetic (Math.imul, >>>), so results are the same on every
 * machine and JS engine.
 */

/** murmur3 fmix32: a bijective 32-bit avalanche mixer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string, 32 bits (names of tables and columns). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A column's hash: `(index, sub?) -> uint32`, uniform and independent per column. */
export type CellHash = (index: number, sub?: number) => number;

/** Hash function of one (seed, table, column); `sub` draws several values per cell. */
export function cellHash(seed: number, table: string, column: string): CellHash {
  const salt = fmix32(fnv1a(`${table}.${column}`) ^ fmix32(seed + 0x9e3779b9));
  const salt2 = fmix32(salt ^ 0x5bd1e995);
  return (index: number, sub = 0): number => {
    // index may exceed 2^32 in theory; fold the high part in so it still mixes.
    const lo = index >>> 0;
    const hi = Math.floor(index / 4294967296);
    let h = fmix32(Math.imul(lo, 0x9e3779b1) ^ salt ^ Math.imul(hi, 0x27d4eb2f));
    h = fmix32((h + Math.imul(sub + 1, 0x165667b1) + salt2) >>> 0);
    return h;
  };
}

/** A uint32 hash as a float in [0, 1). */
export function unit(h: number): number {
  return h / 4294967296;
}

/** A uint32 hash as an integer in [lo, hi] (inclusive). */
export function between(h: number, lo: number, hi: number): number {
  return lo + Math.floor(unit(h) * (hi - lo + 1));
}

/** Picks one element of `list` with a uint32 hash. */
export function pick<T>(h: number, list: readonly T[]): T {
  return list[Math.floor(unit(h) * list.length)];
}

/** Picks by cumulative weights: `weights` [0.7, 0.2, 0.1] -> index 0, 1 or 2. */
export function pickWeighted<T>(h: number, list: readonly T[], cumulative: readonly number[]): T {
  const u = unit(h);
  for (let i = 0; i < cumulative.length; i++) if (u < cumulative[i]) return list[i];
  return list[list.length - 1];
}

/** Cumulative sums of weights normalised to 1 (for {@link pickWeighted}). */
export function cumulative(weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  return weights.map((w) => (acc += w / total));
}

/** Lower-case hex of `bytes` bytes derived from one cell (ids, hashes). */
export function hex(h: CellHash, index: number, bytes: number): string {
  let out = '';
  for (let k = 0; k * 4 < bytes; k++)
    out += h(index, 100 + k)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, bytes * 2);
}

/** Greatest common divisor (for strides that visit every element once). */
export function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** A stride in [1, n) coprime with n, chosen by a hash: (start + k*stride) mod n never repeats for k < n. */
export function coprimeStride(h: number, n: number): number {
  if (n <= 2) return 1;
  let s = 1 + (h % (n - 1));
  while (gcd(s, n) !== 1) s = s + 1 === n ? 1 : s + 1;
  return s;
}
