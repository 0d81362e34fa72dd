/**
 * Reading the key space: SCAN (never KEYS) on every primary in batches of
 * `batchSize`, or a uniform random sample (reservoir over the SCAN), and the
 * values and TTLs of a batch through one pipeline. Memory is bounded by the
 * batch size (a sample holds its N keys).
 */
import type { Redis } from 'ioredis';

/** Keys of one batch, all on the same node (the node their reads go to). */
export interface KeyBatch {
  node: number;
  keys: string[];
}

/**
 * The values and PTTLs of one batch, column by column (no object per key:
 * at a million keys the allocations are the cost). `raws[i]` is null when
 * `keys[i]` is gone; a value that is not a string reads as `\0` + the error.
 */
export interface ReadBatch {
  node: number;
  keys: string[];
  raws: Array<string | null>;
  pttls: number[];
}

/** SCAN COUNT at least this: fewer round trips (the COUNT is a hint, not a page size). */
export const SCAN_COUNT_MIN = 1000;

/** SCAN MATCH patterns treat * ? [ ] \ specially; the prefix must match literally. */
export function globEscape(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Every key under `prefix`, node by node, in batches of `batchSize` keys (the
 * last of a node may be smaller). SCAN may return a key twice (a rehash during
 * the walk); a key seen twice is checked twice, as before.
 */
export async function* scanBatches(primaries: Redis[], prefix: string, batchSize: number): AsyncGenerator<KeyBatch> {
  const match = globEscape(prefix) + '*';
  const count = Math.max(batchSize, SCAN_COUNT_MIN);
  for (let node = 0; node < primaries.length; node++) {
    let cursor = '0';
    let pending: string[] = [];
    do {
      const [next, keys] = await primaries[node].scan(cursor, 'MATCH', match, 'COUNT', count);
      cursor = next;
      for (const k of keys) pending.push(k);
      while (pending.length >= batchSize) {
        yield { node, keys: pending.length === batchSize ? pending : pending.slice(0, batchSize) };
        pending = pending.length === batchSize ? [] : pending.slice(batchSize);
      }
    } while (cursor !== '0');
    if (pending.length) yield { node, keys: pending };
  }
}

/**
 * A uniform random sample of `size` keys under the prefix (reservoir sampling,
 * Vitter's algorithm R, over a full SCAN), then yielded in batches. RANDOMKEY
 * would pick from the whole database, other prefixes included.
 */
export async function* sampleBatches(
  primaries: Redis[],
  prefix: string,
  batchSize: number,
  size: number,
  random = Math.random,
): AsyncGenerator<KeyBatch> {
  const reservoir: Array<{ node: number; key: string }> = [];
  let seen = 0;
  for await (const batch of scanBatches(primaries, prefix, batchSize)) {
    for (const key of batch.keys) {
      seen++;
      if (reservoir.length < size) reservoir.push({ node: batch.node, key });
      else {
        const j = Math.floor(random() * seen);
        if (j < size) reservoir[j] = { node: batch.node, key };
      }
    }
  }
  reservoir.sort((a, b) => a.node - b.node);
  for (let i = 0; i < reservoir.length; i += batchSize) {
    const slice = reservoir.slice(i, i + batchSize);
    // Keep each yielded batch on one node.
    for (const node of new Set(slice.map((s) => s.node))) {
      yield { node, keys: slice.filter((s) => s.node === node).map((s) => s.key) };
    }
  }
}

/**
 * GET + PTTL of every key of a batch in one round trip, as a read-only Lua
 * script: the same commands a pipeline sends, but one reply to parse instead
 * of two per key (the client-side cost dominates at 1M keys). A cluster
 * rejects a script whose keys span hash slots, so there it is a pipeline.
 * WRONGTYPE (a hash or list under the prefix) reads as an undecodable value.
 */
const READ_SCRIPT = `
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.pcall('GET', k)
  if type(v) == 'table' then v = '\0' .. tostring(v.err) end
  out[2 * i - 1] = v
  out[2 * i] = redis.call('PTTL', k)
end
return out`;

const SCRIPTED = new WeakSet<Redis>();

/** Reads a batch on its node: the script on a standalone server, a pipeline on a cluster. */
export async function readBatch(primaries: Redis[], batch: KeyBatch, cluster = false): Promise<ReadBatch> {
  const node = primaries[batch.node];
  const n = batch.keys.length;
  const raws: Array<string | null> = new Array(n);
  const pttls: number[] = new Array(n);
  if (!cluster) {
    if (!SCRIPTED.has(node)) {
      node.defineCommand('acgsChecksRead', { lua: READ_SCRIPT, readOnly: true });
      SCRIPTED.add(node);
    }
    const flat = await (
      node as unknown as { acgsChecksRead(n: number, keys: string[]): Promise<Array<string | null | number>> }
    ).acgsChecksRead(n, batch.keys);
    for (let i = 0; i < n; i++) {
      raws[i] = flat[2 * i] as string | null;
      pttls[i] = flat[2 * i + 1] as number;
    }
    return { node: batch.node, keys: batch.keys, raws, pttls };
  }
  const p = node.pipeline();
  for (const k of batch.keys) {
    p.get(k);
    p.pttl(k);
  }
  const replies = (await p.exec()) ?? [];
  for (let i = 0; i < n; i++) {
    const [getErr, raw] = replies[2 * i] ?? [null, null];
    const [ttlErr, pttl] = replies[2 * i + 1] ?? [null, -2];
    raws[i] = getErr ? `\u0000${getErr.message}` : (raw as string | null);
    pttls[i] = ttlErr ? -2 : (pttl as number);
  }
  return { node: batch.node, keys: batch.keys, raws, pttls };
}

/** Runs `fn` over the items of `source` with at most `concurrency` in flight. */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const it = source[Symbol.asyncIterator]();
  // Async generators queue next() calls, so several workers can pull safely.
  const worker = async () => {
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      await fn(r.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
