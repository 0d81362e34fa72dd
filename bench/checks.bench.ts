/**
 * Benchmark of the cache-db-sync checker: keys verified per second and peak
 * memory over about 1M cache entries of the scale-10 dataset, printed side by
 * side, in the same run, with peers that do part of the work each:
 * redis-benchmark GET pipelined 16 deep (Redis reads alone), SCAN COUNT 2000 +
 * MGET + PTTL in serial batches (the read path without any check), and
 * PostgreSQL `id = ANY($1)` batches of 5,000 on one connection (the row reads
 * alone). CPU per key (the checker's, Redis's, and the whole machine's) shows
 * which bound a figure meets on a 2-core machine. Figures, not assertions; the
 * machine may be shared: figures vary. Prints a table, then as its LAST line
 * one JSON object with the figures.
 *
 *   npm run bench:checks            (node bin/run-ts.js bench/checks.bench.ts)
 *   BENCH_SCALE=2                   a smaller dataset (default 10: ~1M keys)
 *   BENCH_CPU_PROF=DIR              a V8 CPU profile of each checker child in DIR
 *   BENCH_KEEP=1                    keep database and keys, reuse them next run (development)
 *
 * Keys: the seed's warmer with hotFraction 1 writes every entity and derived
 * entry of the reference scheme (~300k at scale 10); to reach 1M the bench adds
 * entity families over the big tables under a bench description
 * (`audit:{id}` over audit_log, `vote:{id}`, `rule:{id}`, `comment:{id}`,
 * `update:{id}`), written in the scheme's entity format by the seed's encoder.
 * The checker runs in a child process so its peak RSS is its own.
 *
 * Own database acgs_bench_checks and prefixes bench_checks*: dropped/cleared at the end
 * (unless BENCH_KEEP=1).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { TTL_POLICY_DEFAULTS } from '../config/index.ts';
import { seedDatabase, warmCache } from '../seed/index.ts';
import { deletePrefix } from '../services/index.ts';
import { admin, dbUrl, REDIS_URL, redisBenchmark } from './redis-pg-peers.ts';
import { entityValue } from '../seed/cache-encode.ts';
import { builtinDescription, loadDescription, runChecks, type SchemaDescription } from '../checks/index.ts';
import { scanBatches } from '../checks/cache-read.ts';

const DB = 'acgs_bench_checks';
const PREFIX = 'bench_checks:';
const SMALL_PREFIX = 'bench_checks_small:';
const SCALE = Number(process.env.BENCH_SCALE ?? 10);
/** One hour for every data type: no key may expire while the bench runs (300 s decisions would). */
const TTL = Object.fromEntries(Object.keys(TTL_POLICY_DEFAULTS).map((k) => [k, 3600])) as {
  [K in keyof typeof TTL_POLICY_DEFAULTS]: number;
};

/** Extra entity families over the big tables (bench description only). */
const EXTRA: Array<{ pattern: string; table: string }> = [
  { pattern: 'audit:{id}', table: 'audit_log' },
  { pattern: 'vote:{id}', table: 'amendment_votes' },
  { pattern: 'rule:{id}', table: 'policy_rules' },
  { pattern: 'comment:{id}', table: 'amendment_comments' },
  { pattern: 'update:{id}', table: 'policy_updates' },
];

function benchDescription(): SchemaDescription {
  const d = builtinDescription();
  return {
    ...d,
    cacheFamilies: [
      ...d.cacheFamilies,
      ...EXTRA.map((e) => ({ ...e, dataType: 'apiResponses' as const, kind: 'entity' as const, keyColumn: 'id' })),
    ],
  };
}

const clearPrefix = (redis: Redis, prefix: string) => deletePrefix(redis, prefix, 5000);

/** Writes `table`'s rows (up to `limit`) as entity entries of `pattern`, 10k rows per read. */
async function writeFamily(
  db: pg.Client,
  redis: Redis,
  prefix: string,
  pattern: string,
  table: string,
  limit = Infinity,
): Promise<number> {
  const cachedAt = new Date().toISOString();
  let last = 0;
  let n = 0;
  for (;;) {
    const { rows } = await db.query(`SELECT * FROM ${table} WHERE id > $1 ORDER BY id LIMIT 10000`, [last]);
    if (rows.length === 0 || n >= limit) break;
    const p = redis.pipeline();
    for (const row of rows) {
      if (n >= limit) break;
      const value = JSON.parse(entityValue(table, row, cachedAt));
      if (value.v === undefined || value.v === null) value.v = 1; // append-only tables have no version column
      p.set(prefix + pattern.replace('{id}', String(row.id)), JSON.stringify(value), 'EX', TTL.apiResponses);
      n++;
    }
    await p.exec();
    last = Number(rows[rows.length - 1].id);
  }
  return n;
}

/** Child mode: run the checker once and print its figures as JSON. */
async function child(prefix: string, batchSize: number, descFile: string): Promise<void> {
  const description = await loadDescription(descFile);
  const rssBefore = process.memoryUsage().rss;
  const r = await runChecks({
    databaseUrl: dbUrl(DB),
    redisUrl: REDIS_URL,
    prefix,
    ttlSeconds: TTL,
    graceSeconds: 0,
    sample: 0,
    examples: 3,
    batchSize,
    only: ['cache-db-sync'],
    description,
  });
  const c = r.checkers[0];
  process.stdout.write(
    JSON.stringify({
      checked: c.checked,
      durationMs: c.durationMs,
      violations: c.violations,
      rssBeforeMB: rssBefore / 2 ** 20,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
      cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    }) + '\n',
  );
}

function runChild(
  prefix: string,
  batchSize: number,
  descFile: string,
): Promise<{
  checked: number;
  durationMs: number;
  violations: Record<string, number>;
  rssBeforeMB: number;
  maxRssMB: number;
  cpuMs: number;
}> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'node',
      [
        // BENCH_CPU_PROF=DIR: a V8 CPU profile of each checker child, to see where its time goes.
        ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []),
        'bin/run-ts.js',
        'bench/checks.bench.ts',
        '--child',
        prefix,
        String(batchSize),
        descFile,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

/** Machine-wide busy CPU time in ms (all cores, /proc/stat), to state the sum every process spent. */
function machineBusyMs(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4]; // idle + iowait
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return ((total - idle) * 1000) / 100; // USER_HZ = 100 on Linux
}

/** Redis's own CPU time in ms (INFO cpu: used_cpu_user + used_cpu_sys, main and background threads). */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (get('used_cpu_user') + get('used_cpu_sys')) * 1000;
}

/** Peer: redis-benchmark GET on the bench's own keys (audit:{random id}), pipelined 16 deep (-P 16), 50 clients. */
async function redisBenchmarkGet(n: number, keyCount: number): Promise<{ keys: number; ms: number }> {
  const rps = await redisBenchmark(n, keyCount, [], ['GET', `${PREFIX}audit:__rand_int__`]);
  return { keys: n, ms: (n / rps) * 1000 };
}

/** Peer: SCAN COUNT 2000 + MGET + pipelined PTTL, one batch after another, plain ioredis, no checks. */
async function scanMgetPttl(redis: Redis, prefix: string): Promise<{ keys: number; ms: number }> {
  const t0 = performance.now();
  let keys = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
    cursor = next;
    if (batch.length === 0) continue;
    const p = redis.pipeline();
    p.mget(...batch);
    for (const k of batch) p.pttl(k);
    const r = (await p.exec()) ?? [];
    keys += (r[0][1] as unknown[]).length;
  } while (cursor !== '0');
  return { keys, ms: performance.now() - t0 };
}

/** Peer: SELECT * FROM audit_log WHERE id = ANY($1), batches of 5,000 ids, one connection, rows/s. */
async function pgAnyBatches(): Promise<{ keys: number; ms: number }> {
  const c = new pg.Client({ connectionString: dbUrl(DB) });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>('SELECT max(id)::text AS n FROM audit_log');
    const max = Number(rows[0].n);
    const t0 = performance.now();
    let n = 0;
    for (let lo = 1; lo <= max; lo += 5000) {
      const ids = Array.from({ length: Math.min(5000, max - lo + 1) }, (_, i) => lo + i);
      n += (await c.query('SELECT * FROM audit_log WHERE id = ANY($1::bigint[])', [ids])).rowCount ?? 0;
    }
    return { keys: n, ms: performance.now() - t0 };
  } finally {
    await c.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

type ChildResult = Awaited<ReturnType<typeof runChild>>;

/** Runs the checker child with the machine's and Redis's CPU measured around it. */
async function measuredChild(redis: Redis, prefix: string, batchSize: number, descFile: string) {
  const busy0 = machineBusyMs();
  const redis0 = await redisCpuMs(redis);
  const r = await runChild(prefix, batchSize, descFile);
  return { ...r, machineCpuMs: machineBusyMs() - busy0, redisCpuMs: (await redisCpuMs(redis)) - redis0 };
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(join(tmpdir(), 'acgs-bench-checks-'));
  const descFile = join(dir, 'description.json');
  writeFileSync(descFile, JSON.stringify(benchDescription()));
  // BENCH_KEEP=1 keeps the database and keys for the next run, which reuses them (development only).
  const keep = process.env.BENCH_KEEP === '1';
  console.log(`checks bench: seed scale ${SCALE} into ${DB}; machine shared with other work, figures vary`);
  try {
    let total = keep ? await countKeys(redis, PREFIX) : 0;
    let small = keep ? await countKeys(redis, SMALL_PREFIX) : 0;
    if (total === 0 || small === 0) {
      await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await admin(`CREATE DATABASE ${DB}`);
      let t = performance.now();
      const seeded = await seedDatabase({ databaseUrl: dbUrl(DB), scale: SCALE, seed: 42 });
      console.log(`seeded ${fmt(seeded.totalRows)} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await clearPrefix(redis, PREFIX);
      await clearPrefix(redis, SMALL_PREFIX);
      t = performance.now();
      const warm = await warmCache({
        databaseUrl: dbUrl(DB),
        redisUrl: REDIS_URL,
        prefix: PREFIX,
        ttlSeconds: TTL,
        hotFraction: 1,
      });
      const db = new pg.Client({ connectionString: dbUrl(DB) });
      await db.connect();
      const extra: Record<string, number> = {};
      for (const e of EXTRA) extra[e.pattern] = await writeFamily(db, redis, PREFIX, e.pattern, e.table);
      small = await writeFamily(db, redis, SMALL_PREFIX, 'audit:{id}', 'audit_log', 100_000);
      await db.end();
      total = await countKeys(redis, PREFIX);
      console.log(
        `wrote cache entries in ${((performance.now() - t) / 1000).toFixed(1)} s: ${fmt(total)} under '${PREFIX}' (seed warmer: ${warm.keys} keys; bench families: ${JSON.stringify(extra)}); ${fmt(small)} under '${SMALL_PREFIX}'`,
      );
    } else console.log(`reusing ${fmt(total)} keys under '${PREFIX}' (BENCH_KEEP=1)`);

    const auditKeys = Number(await countKeys(redis, `${PREFIX}audit:`));
    const rb = await redisBenchmarkGet(Math.min(total, 1_000_000), auditKeys);
    const smp = await scanMgetPttl(redis, PREFIX);
    const pga = await pgAnyBatches();
    const big1 = await measuredChild(redis, PREFIX, 1000, descFile);
    const big5 = await measuredChild(redis, PREFIX, 5000, descFile);
    const small1 = await measuredChild(redis, SMALL_PREFIX, 1000, descFile);

    const ours = (what: string, c: ChildResult & { machineCpuMs: number; redisCpuMs: number }) => {
      const us = (ms: number) => ((ms * 1000) / Math.max(1, c.checked)).toFixed(1);
      return [
        what,
        c.checked,
        c.durationMs,
        `${c.maxRssMB.toFixed(0)} MB`,
        `checker ${us(c.cpuMs)}, Redis ${us(c.redisCpuMs)}, machine ${us(c.machineCpuMs)}`,
      ] as const;
    };
    const rows: Array<readonly [string, number, number, string, string]> = [
      ['peer: redis-benchmark -P 16 GET (existing keys, no TTL read)', rb.keys, rb.ms, '-', '-'],
      ['peer: SCAN COUNT 2000 + MGET + PTTL, serial batches, no checks', smp.keys, smp.ms, '-', '-'],
      ['peer: PostgreSQL SELECT * ... id = ANY($1), 5,000 per batch, 1 connection (rows)', pga.keys, pga.ms, '-', '-'],
      ours('ours: cache-db-sync, batch 1000', big1),
      ours('ours: cache-db-sync, batch 5000', big5),
      ours('ours: cache-db-sync, batch 1000, 100k keys', small1),
    ];
    console.log('\n| what | keys | seconds | keys/s | peak RSS | CPU µs per key |');
    console.log('| --- | ---: | ---: | ---: | --- | --- |');
    for (const [what, keys, ms, rss, cpu] of rows)
      console.log(
        `| ${what} | ${fmt(keys)} | ${(ms / 1000).toFixed(2)} | ${fmt(keys / (ms / 1000))} | ${rss} | ${cpu} |`,
      );
    console.log(`\nviolations found (expected none): ${JSON.stringify(big1.violations)}`);
    console.log(
      'goal: >= 200,000 keys/s and peak RSS < 500 MB over ~1M keys. "machine" = busy CPU of every process on the 2 cores during the sweep (ours + Redis + PostgreSQL + anything else running)',
    );
    const kps = (c: { checked: number; durationMs: number }) => Math.round(c.checked / (c.durationMs / 1000));
    console.log(
      JSON.stringify({
        bench: 'checks',
        scale: SCALE,
        keys: total,
        oursKeysPerSec: kps(big1),
        oursBatch5000KeysPerSec: kps(big5),
        oursPeakRssMB: Math.round(Math.max(big1.maxRssMB, big5.maxRssMB)),
        oursSmallKeysPerSec: kps(small1),
        oursSmallPeakRssMB: Math.round(small1.maxRssMB),
        oursCpuUsPerKey: {
          checker: +((big1.cpuMs * 1000) / big1.checked).toFixed(2),
          redis: +((big1.redisCpuMs * 1000) / big1.checked).toFixed(2),
          machine: +((big1.machineCpuMs * 1000) / big1.checked).toFixed(2),
        },
        violations: big1.violations,
        peerRedisBenchmarkGetP16PerSec: Math.round(rb.keys / (rb.ms / 1000)),
        peerScanMgetPttlPerSec: Math.round(smp.keys / (smp.ms / 1000)),
        peerPgAnyRowsPerSec: Math.round(pga.keys / (pga.ms / 1000)),
        goalKeysPerSec: 200_000,
      }),
    );
  } finally {
    if (!keep) {
      await clearPrefix(redis, PREFIX);
      await clearPrefix(redis, SMALL_PREFIX);
      await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    }
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let n = 0;
  for await (const b of scanBatches([redis], prefix, 5000)) n += b.keys.length;
  return n;
}

if (process.argv[2] === '--child') await child(process.argv[3], Number(process.argv[4]), process.argv[5]);
else await main();
