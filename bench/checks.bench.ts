/**
 * Benchmark of the cache-db-sync checker: keys verified per second and peak
 * memory over about 1M cache entries of the scale-10 dataset, printed side by
 * side with peers that do less (redis-cli --scan: walking the keys only; a
 * SCAN + the checker's own batched GET/PTTL read without any check).
 * Figures, not assertions. The machine may be shared: figures vary.
 *
 *   npm run bench:checks            (node bin/run-ts.js bench/checks.bench.ts)
 *
 * Keys: the seed's warmer with hotFraction 1 writes every entity and derived
 * entry of the reference scheme (~300k at scale 10); to reach 1M the bench adds
 * entity families over the big tables under a bench description
 * (`audit:{id}` over audit_log, `vote:{id}`, `rule:{id}`, `comment:{id}`,
 * `update:{id}`), written in the scheme's entity format by the seed's encoder.
 * The checker runs in a child process so its peak RSS is its own.
 *
 * Own database acgs_bench_checks and prefixes bench_checks*: dropped/cleared at the end.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { TTL_POLICY_DEFAULTS } from '../config/index.ts';
import { seedDatabase, warmCache } from '../seed/index.ts';
import { entityValue } from '../seed/cache-encode.ts';
import { builtinDescription, loadDescription, runChecks, type SchemaDescription } from '../checks/index.ts';
import { readBatch, scanBatches } from '../checks/cache-read.ts';

const ADMIN = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
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

function dbUrl(name: string): string {
  const u = new URL(ADMIN);
  u.pathname = '/' + name;
  return u.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function clearPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}

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
}> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'node',
      ['bin/run-ts.js', 'bench/checks.bench.ts', '--child', prefix, String(batchSize), descFile],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${code}`)),
    );
  });
}

/** Peer 1: redis-cli --scan (walks the keys, reads nothing). */
function redisCliScan(prefix: string): Promise<{ keys: number; ms: number }> {
  const u = new URL(REDIS_URL);
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      'redis-cli',
      ['-h', u.hostname, '-p', u.port || '6379', '--scan', '--pattern', `${prefix}*`],
      { maxBuffer: 1 << 30 },
      (err, stdout) => {
        if (err) return reject(err);
        resolve({ keys: stdout.split('\n').filter(Boolean).length, ms: performance.now() - t0 });
      },
    );
  });
}

/** Peer 2: SCAN + the checker's batched GET/PTTL read, no decoding, no database. */
async function rawRead(redis: Redis, prefix: string): Promise<{ keys: number; ms: number }> {
  const t0 = performance.now();
  let keys = 0;
  for await (const batch of scanBatches([redis], prefix, 1000)) keys += (await readBatch([redis], batch)).length;
  return { keys, ms: performance.now() - t0 };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const dir = mkdtempSync(join(tmpdir(), 'acgs-bench-checks-'));
  const descFile = join(dir, 'description.json');
  writeFileSync(descFile, JSON.stringify(benchDescription()));
  console.log(`checks bench: seed scale ${SCALE} into ${DB}; machine shared with other work, figures vary`);
  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  try {
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
    const small = await writeFamily(db, redis, SMALL_PREFIX, 'audit:{id}', 'audit_log', 100_000);
    await db.end();
    const total = await countKeys(redis, PREFIX);
    console.log(
      `wrote cache entries in ${((performance.now() - t) / 1000).toFixed(1)} s: ${fmt(total)} under '${PREFIX}' (seed warmer: ${JSON.stringify(warm).slice(0, 200)}; bench families: ${JSON.stringify(extra)}); ${fmt(small)} under '${SMALL_PREFIX}'`,
    );

    const cli = await redisCliScan(PREFIX);
    const raw = await rawRead(redis, PREFIX);
    const big1 = await runChild(PREFIX, 1000, descFile);
    const big5 = await runChild(PREFIX, 5000, descFile);
    const small1 = await runChild(SMALL_PREFIX, 1000, descFile);

    const rows: Array<[string, number, number, string]> = [
      ['redis-cli --scan (walk only, COUNT 10)', cli.keys, cli.ms, '-'],
      ['SCAN + batched GET/PTTL, no checks (read path alone)', raw.keys, raw.ms, '-'],
      [
        'cache-db-sync, batch 1000',
        big1.checked,
        big1.durationMs,
        `${big1.maxRssMB.toFixed(0)} MB (start ${big1.rssBeforeMB.toFixed(0)} MB)`,
      ],
      [
        'cache-db-sync, batch 5000',
        big5.checked,
        big5.durationMs,
        `${big5.maxRssMB.toFixed(0)} MB (start ${big5.rssBeforeMB.toFixed(0)} MB)`,
      ],
      [
        'cache-db-sync, batch 1000, 100k keys',
        small1.checked,
        small1.durationMs,
        `${small1.maxRssMB.toFixed(0)} MB (start ${small1.rssBeforeMB.toFixed(0)} MB)`,
      ],
    ];
    console.log('\n| what | keys | seconds | keys/s | peak RSS |');
    console.log('| --- | ---: | ---: | ---: | --- |');
    for (const [what, keys, ms, rss] of rows)
      console.log(`| ${what} | ${fmt(keys)} | ${(ms / 1000).toFixed(2)} | ${fmt(keys / (ms / 1000))} | ${rss} |`);
    console.log(`\nviolations found (expected none): ${JSON.stringify(big1.violations)}`);
    console.log('goal: >= 200,000 keys/s; memory bounded by batch size (compare 1M vs 100k keys at batch 1000)');
  } finally {
    await clearPrefix(redis, PREFIX);
    await clearPrefix(redis, SMALL_PREFIX);
    redis.disconnect();
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
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
