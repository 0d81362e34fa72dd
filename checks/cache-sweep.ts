/**
 * The cache sweep behind the cache-db-sync and data-types checkers: one pass
 * over the key space (or a sample), batch by batch with a few batches in
 * flight, then a second look at the mismatched keys after the grace period.
 * Memory: the batches in flight plus counters, examples and the list of
 * mismatched keys (capped at {@link MAX_REREAD}).
 */
import type pg from 'pg';
import type { CheckerResult, CheckOptions } from './types.ts';
import type { SchemaDescription } from './description.ts';
import type { RedisNodes } from './_connect.ts';
import { forEachConcurrent, readBatch, sampleBatches, scanBatches, type KeyBatch } from './cache-read.ts';
import { makeEvaluator, type EntryOutcome } from './cache-evaluate.ts';
import { formatNines, nines } from './nines.ts';
import { Tally } from './_tally.ts';

/** Batches processed at once: enough to overlap Redis, PostgreSQL and CPU work. */
export const CONCURRENCY = 8;
/** Mismatched keys kept for the re-read after grace; beyond, they stay mismatched. */
export const MAX_REREAD = 100_000;

/** Test hooks: `graceStarted` runs when the first pass is over and the grace period begins. */
export interface SweepHooks {
  graceStarted?: () => Promise<void>;
}

interface Reread {
  node: number;
  key: string;
  dataType: string;
}

interface TypeStats {
  checked: number;
  strict: number; // consistent on the first pass
  after: number; // consistent after grace
  maxTtlMs: number; // longest remaining TTL seen (the policy table as enforced)
  ttlViolations: number; // no_ttl + ttl_above_policy on the first pass
}

/** Runs the sweep; returns the results of the requested checkers. */
export async function sweepCache(
  pool: pg.Pool,
  redis: RedisNodes,
  desc: SchemaDescription,
  opts: CheckOptions,
  want: { sync: boolean; types: boolean },
  hooks: SweepHooks = {},
): Promise<{ sync?: CheckerResult; types?: CheckerResult }> {
  const started = performance.now();
  const ev = makeEvaluator(pool, desc, opts);
  const strict = new Tally(opts.examples);
  const types = new Tally(opts.examples);
  const byType = new Map<string, TypeStats>();
  let typedFailing = 0;
  let vanished = 0;
  let ignored = 0;
  const reread: Reread[] = [];
  let rereadDropped = 0;
  const overflow = new Tally(opts.examples); // violations of keys beyond MAX_REREAD
  const checker = [want.sync && 'cache-db-sync', want.types && 'data-types'].filter(Boolean).join('+');
  let swept = 0;
  opts.onProgress?.({ checker, keys: 0, done: false });

  const source =
    opts.sample > 0
      ? sampleBatches(redis.primaries, opts.prefix, opts.batchSize, opts.sample)
      : scanBatches(redis.primaries, opts.prefix, opts.batchSize);
  await forEachConcurrent(source, CONCURRENCY, async (batch) => {
    const r = await ev.evaluate(await readBatch(redis.primaries, batch, redis.cluster));
    vanished += r.vanished;
    ignored += r.ignored;
    swept += batch.keys.length;
    opts.onProgress?.({ checker, keys: swept, done: false });
    for (const [dataType, c] of r.clean) {
      strict.checked += c.checked;
      types.checked += c.typed;
      const s = statsOf(byType, dataType);
      s.checked += c.checked;
      s.strict += c.checked;
      s.after += c.checked;
      if (c.maxTtlMs > s.maxTtlMs) s.maxTtlMs = c.maxTtlMs;
    }
    for (const o of r.outcomes) {
      strict.checked++;
      const s = statsOf(byType, o.dataType);
      s.checked++;
      if (o.pttl !== undefined && o.pttl > s.maxTtlMs) s.maxTtlMs = o.pttl;
      if (o.sync.includes('no_ttl') || o.sync.includes('ttl_above_policy')) s.ttlViolations++;
      if (o.sync.length === 0) {
        s.strict++;
        s.after++;
      } else {
        for (const kind of o.sync) strict.add(kind, 1, o.example);
        if (reread.length < MAX_REREAD) reread.push({ node: o.node, key: o.key, dataType: o.dataType });
        else {
          rereadDropped++;
          for (const kind of o.sync) overflow.add(kind, 1, o.example);
        }
      }
      if (o.typed) types.checked++;
      if (o.types.length) {
        typedFailing++;
        for (const t of o.types)
          types.add(t.kind, 1, {
            key: o.key,
            column: t.column,
            cached: o.detail?.cached[t.column],
            row: o.detail?.row[t.column],
          });
      }
    }
  });
  const firstPassMs = performance.now() - started;

  const after = await afterGrace(redis, ev, opts, reread, byType, overflow, strict, hooks);
  const notes = [...ev.notes];
  if (vanished) notes.push(`${vanished} keys expired or were deleted between SCAN and GET (not counted)`);
  if (ignored) notes.push(`${ignored} keys matched ignoreKeys (not counted)`);
  if (opts.sample > 0) notes.push(`sampled ${strict.checked} of the keys under '${opts.prefix}' (reservoir over SCAN)`);
  if (redis.cluster) notes.push(`Redis Cluster: swept ${redis.primaries.length} primaries`);
  if (rereadDropped)
    notes.push(
      `${rereadDropped} mismatched keys beyond ${MAX_REREAD} were not re-read and count as mismatched after grace`,
    );
  for (const n of notes) after.notes.push(n);
  opts.onProgress?.({ checker, keys: swept, done: true });

  const out: { sync?: CheckerResult; types?: CheckerResult } = {};
  if (want.sync) {
    const failing = strict.checked - [...byType.values()].reduce((a, s) => a + s.after, 0);
    const perType = Object.fromEntries(
      [...byType].map(([dt, s]) => [
        dt,
        {
          checked: s.checked,
          consistentStrict: s.strict,
          consistentAfterGrace: s.after,
          ninesStrict: nines(s.strict, s.checked),
          ninesAfterGrace: nines(s.after, s.checked),
          summary: `${formatNines(nines(s.after, s.checked))} consistent within ${opts.graceSeconds} s (strict: ${formatNines(nines(s.strict, s.checked))})`,
          maxTtlSeconds: Math.ceil(s.maxTtlMs / 1000),
          ttlViolations: s.ttlViolations,
        },
      ]),
    );
    // The re-read tally counts no items of its own: the checked keys are the first pass's.
    after.checked = strict.checked;
    const res = after.result('cache-db-sync', started, failing, {
      graceSeconds: opts.graceSeconds,
      strict: { violations: strict.violations, examples: strict.examples, consistent: strict.checked - strict.total() },
      byDataType: perType,
      keysPerSecond: Math.round(strict.checked / (firstPassMs / 1000 || 1e-9)),
      firstPassMs: Math.round(firstPassMs),
    });
    out.sync = res;
  }
  if (want.types) {
    types.notes.push("entity entries are checked column by column; values only at the row's version");
    out.types = types.result('data-types', started, typedFailing);
  }
  return out;
}

function statsOf(m: Map<string, TypeStats>, dt: string): TypeStats {
  let s = m.get(dt);
  if (!s) m.set(dt, (s = { checked: 0, strict: 0, after: 0, maxTtlMs: 0, ttlViolations: 0 }));
  return s;
}

/**
 * Re-reads the mismatched keys after the grace period: an invalidation may
 * still have been in flight. A key gone or now consistent counts as
 * consistent after grace; the rest are the violations that remain.
 */
async function afterGrace(
  redis: RedisNodes,
  ev: ReturnType<typeof makeEvaluator>,
  opts: CheckOptions,
  reread: Reread[],
  byType: Map<string, TypeStats>,
  overflow: Tally,
  strict: Tally,
  hooks: SweepHooks,
): Promise<Tally> {
  const tally = new Tally(opts.examples);
  // Keys beyond the re-read cap were never re-read: they stay mismatched.
  for (const [k, n] of Object.entries(overflow.violations)) tally.add(k, n, ...(overflow.examples[k] ?? []));
  if (opts.graceSeconds <= 0 || reread.length === 0) {
    // No grace: the first pass is final.
    const t = new Tally(opts.examples);
    for (const [k, n] of Object.entries(strict.violations)) t.add(k, n, ...(strict.examples[k] ?? []));
    return t;
  }
  await hooks.graceStarted?.();
  await new Promise((r) => setTimeout(r, opts.graceSeconds * 1000));
  reread.sort((a, b) => a.node - b.node);
  async function* batches(): AsyncGenerator<KeyBatch> {
    for (let i = 0; i < reread.length; i += opts.batchSize) {
      const slice = reread.slice(i, i + opts.batchSize);
      for (const node of new Set(slice.map((s) => s.node)))
        yield { node, keys: slice.filter((s) => s.node === node).map((s) => s.key) };
    }
  }
  const dataTypeOf = new Map(reread.map((r) => [r.key, r.dataType]));
  await forEachConcurrent(batches(), CONCURRENCY, async (batch) => {
    const r = await ev.evaluate(await readBatch(redis.primaries, batch, redis.cluster));
    // Only entries with a finding are listed: a key absent from them is gone or consistent now.
    const byKey = new Map<string, EntryOutcome>(r.outcomes.map((o) => [o.key, o]));
    for (const key of batch.keys) {
      const o = byKey.get(key);
      if (!o || o.sync.length === 0) {
        // Gone (invalidated) or fixed during the grace period.
        statsOf(byType, dataTypeOf.get(key) ?? 'unknown').after++;
        continue;
      }
      for (const kind of o.sync) tally.add(kind, 1, o.example);
    }
  });
  return tally;
}
