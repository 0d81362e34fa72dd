/**
 * Benchmark of the seed's cache warmer (seed/warm.ts): keys written per
 * second over about 1M entries, side by side in the same run with
 * redis-benchmark SET pipelined 16 deep with 200-byte values (Redis's own
 * write rate) and a plain ioredis pipeline of SET EX (500 per pipeline, one
 * after another), each writing as many keys as the warmer. Figures, not
 * assertions; the machine may be shared: figures vary. Prints a table, then
 * as its LAST line one JSON object with the figures.
 *
 *   npm run bench:warm              (node bin/run-ts.js bench/warm.bench.ts)
 *   BENCH_SCALE=3                   a smaller dataset (default 30, warmed whole: ~900k keys)
 *   BENCH_KEEP=1                    keep the database for the next run (development)
 *
 * Own database acgs_bench_warm and prefixes bench_warm*: dropped/cleared at the end.
 */
import { Redis } from 'ioredis';
import { TTL_POLICY_DEFAULTS } from '../config/index.ts';
import { seedDatabase, warmCache } from '../seed/index.ts';
import { deletePrefix } from '../services/index.ts';
import { admin, dbUrl, REDIS_URL, redisBenchmark } from './redis-pg-peers.ts';

const DB = 'acgs_bench_warm';
const PREFIX = 'bench_warm:';
const PEER_PREFIX = 'bench_warm_peer:';
const SCALE = Number(process.env.BENCH_SCALE ?? 30);

const clearPrefix = (redis: Redis, prefix: string) => deletePrefix(redis, prefix, 5000);

/** Peer: redis-benchmark SET, -P 16, -d 200, random keys under the peer prefix. */
function redisBenchmarkSet(n: number): Promise<number> {
  return redisBenchmark(n, n, ['-d', '200'], ['SET', `${PEER_PREFIX}rb:__rand_int__`, 'x'.repeat(200)]);
}

/** Peer: a plain ioredis pipeline of SET key value EX ttl, 500 per pipeline, serial; values as long as ours. */
async function ioredisPipeline(redis: Redis, n: number, valueBytes: number): Promise<number> {
  const value = 'x'.repeat(valueBytes);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 500) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 500); j++) p.set(`${PEER_PREFIX}io:${j}`, value, 'EX', 600);
    await p.exec();
  }
  return n / ((performance.now() - t0) / 1000);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keep = process.env.BENCH_KEEP === '1';
  console.log(
    `warm bench: seed scale ${SCALE} into ${DB}, warm all of it; machine shared with other work, figures vary`,
  );
  try {
    const exists = (await admin(`SELECT 1 FROM pg_database WHERE datname = '${DB}'`)).length > 0;
    if (!keep || !exists) {
      await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await admin(`CREATE DATABASE ${DB}`);
      const t = performance.now();
      const seeded = await seedDatabase({ databaseUrl: dbUrl(DB), scale: SCALE, seed: 42 });
      console.log(`seeded ${fmt(seeded.totalRows)} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const runs: Array<{ keys: number; ms: number; bytes: number }> = [];
    for (let i = 0; i < 2; i++) {
      await clearPrefix(redis, PREFIX);
      const rss0 = process.memoryUsage().rss;
      const w = await warmCache({
        databaseUrl: dbUrl(DB),
        redisUrl: REDIS_URL,
        prefix: PREFIX,
        ttlSeconds: TTL_POLICY_DEFAULTS,
        hotFraction: 1,
      });
      const sample = await redis.get(`${PREFIX}decision:1`);
      runs.push({ keys: w.keys, ms: w.ms, bytes: sample?.length ?? 200 });
      console.log(
        `warm ${i + 1}: ${fmt(w.keys)} keys in ${(w.ms / 1000).toFixed(1)} s (RSS +${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)} MB)`,
      );
    }
    const keys = runs[0].keys;
    const rb = await redisBenchmarkSet(keys);
    await clearPrefix(redis, PEER_PREFIX);
    const io = await ioredisPipeline(redis, keys, runs[0].bytes);
    await clearPrefix(redis, PEER_PREFIX);

    const ours = runs.map((r) => r.keys / (r.ms / 1000));
    const rows: Array<[string, number, number]> = [
      ['peer: redis-benchmark -P 16 -d 200 SET', keys, rb],
      [`peer: plain ioredis pipeline SET EX, 500 per pipeline, serial (${runs[0].bytes}-byte values)`, keys, io],
      ['ours: warmCache, 1st run (prefix empty)', runs[0].keys, ours[0]],
      ['ours: warmCache, 2nd run', runs[1].keys, ours[1]],
    ];
    console.log('\n| what | keys | keys/s |');
    console.log('| --- | ---: | ---: |');
    for (const [what, n, kps] of rows) console.log(`| ${what} | ${fmt(n)} | ${fmt(kps)} |`);
    console.log('goal: >= 200,000 keys/s');
    console.log(
      JSON.stringify({
        bench: 'warm',
        scale: SCALE,
        keys,
        oursKeysPerSec: Math.round(Math.max(...ours)),
        oursRunsKeysPerSec: ours.map(Math.round),
        peerRedisBenchmarkSetP16PerSec: Math.round(rb),
        peerIoredisPipelinePerSec: Math.round(io),
        goalKeysPerSec: 200_000,
      }),
    );
  } finally {
    await clearPrefix(redis, PREFIX);
    await clearPrefix(redis, PEER_PREFIX);
    redis.disconnect();
    if (!keep) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

await main();
