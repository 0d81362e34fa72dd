/**
 * Soak (`npm run bench:soak -- --minutes 30`): the embedded engine runs the
 * user-journey scenario for a long time against the target, and memory is
 * printed every `--every` seconds, so a leak shows as a climbing line. Not a
 * CI test: it runs for minutes (default 30) and prints figures.
 *
 * Side by side, over the same window and against the same target, the peer
 * tool autocannon (a child process, `-c 10 -R 50` GET of a cached principle)
 * has its RSS sampled too; so does the target process. At the end: per
 * series, the first sample after warm-up (1 min, or the second sample), the
 * last, the peak, and the least-squares slope in MB per minute.
 *
 * Flags: --minutes N (30), --every S (30), --vus N (20), --scale X (0.2).
 * Data: its own database `acgs_bench_soak` on DATABASE_URL's server (default
 * the local one) and the key prefix `bench_soak:` (deleted at the end).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../config/index.ts';
import { runK6 } from '../engine/index.ts';
import { ensureScenarioBundle } from '../engine/k6-build.ts';
import { scenarioEnv } from '../run/scenario-env.ts';
import { startApiProcess } from '../services/api-process.ts';
import { seedDatabase, warmCache } from '../seed/index.ts';
import { ensureDatabase } from '../services/index.ts';
import { connectRedis, deletePrefix } from '../services/redis.ts';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got '${process.argv[i + 1]}'`);
  return n;
}

const MINUTES = flag('minutes', 30);
const EVERY_S = flag('every', 30);
const VUS = flag('vus', 20);
const SCALE = flag('scale', 0.2);
const PREFIX = 'bench_soak:';
const MB = 1024 * 1024;

/** RSS of another process in bytes (Linux /proc), or null once it has ended. */
function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface Sample {
  t: number;
  rss: number;
  heap: number;
  external: number;
  peer: number | null;
  target: number | null;
}

/** Least-squares slope of y over t (per minute). */
export function slopePerMinute(points: Array<{ t: number; y: number }>): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? null : (num / den) * 60;
}

const fmt = (b: number | null) => (b === null ? '   n/a  ' : `${(b / MB).toFixed(1).padStart(6)} MB`);

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const u = new URL(base);
  u.pathname = '/acgs_bench_soak';
  const databaseUrl = u.toString();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const seconds = Math.round(MINUTES * 60);
  const config = loadConfig({
    env: {},
    flags: {
      redis: { prefix: PREFIX },
      seed: { scale: SCALE, seed: 42 },
      load: { vus: VUS, durationSeconds: seconds },
    },
  });

  console.log(`soak: user-journey, ${VUS} VUs, ${MINUTES} min, memory every ${EVERY_S} s; scale ${SCALE}`);
  await ensureDatabase(databaseUrl);
  const seed = await seedDatabase({ databaseUrl, scale: SCALE, seed: 42 });
  console.log(`data: ${seed.totalRows} rows${seed.skipped ? ' (kept)' : ''}`);
  await warmCache({
    databaseUrl,
    redisUrl,
    prefix: PREFIX,
    ttlSeconds: config.cache.ttlSeconds,
    hotFraction: config.cache.warmHotFraction,
  });
  const target = await startApiProcess({ config, databaseUrl, redisUrl });
  const script = await ensureScenarioBundle('user-journey');

  const peer = spawn(
    process.execPath,
    [
      join('node_modules', 'autocannon', 'autocannon.js'),
      '-c',
      '10',
      '-R',
      '50',
      '-d',
      String(seconds),
      '--json',
      `${target.url}/api/v1/principles/1`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let peerJson = '';
  peer.stdout!.on('data', (d) => (peerJson += d));
  const peerDone = new Promise<void>((r) => peer.once('exit', () => r()));

  const samples: Sample[] = [];
  const t0 = Date.now();
  const sample = () => {
    const m = process.memoryUsage();
    const s: Sample = {
      t: (Date.now() - t0) / 1000,
      rss: m.rss,
      heap: m.heapUsed,
      external: m.external,
      peer: rssOf(peer.pid),
      target: rssOf(target.pid),
    };
    samples.push(s);
    console.log(
      `t=${s.t.toFixed(0).padStart(5)} s  engine rss ${fmt(s.rss)} heap ${fmt(s.heap)} ext ${fmt(s.external)} | autocannon rss ${fmt(s.peer)} | target rss ${fmt(s.target)}`,
    );
  };
  sample();
  const timer = setInterval(sample, EVERY_S * 1000);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const r = await runK6(
    {
      script,
      env: scenarioEnv(config, { baseUrl: target.url, runId: `soak-${t0}` }),
      quiet: true,
      stdout: sink,
      stderr: sink,
      summaryTrendStats: ['avg', 'p(95)', 'count'],
    },
    'embedded',
  );
  clearInterval(timer);
  sample();
  await peerDone;
  await target.close();
  const redis = await connectRedis(redisUrl);
  await deletePrefix(redis, PREFIX);
  redis.disconnect();

  const reqs = (r.summary?.metrics?.http_reqs?.values as { count?: number } | undefined)?.count ?? null;
  let peerReqs: number | null = null;
  try {
    peerReqs = (JSON.parse(peerJson) as { requests: { total: number } }).requests.total;
  } catch {
    peerReqs = null;
  }
  console.log(
    `\nengine: exit ${r.exitCode}, ${reqs ?? 'n/a'} requests${r.engineLimited ? ' (engine-limited)' : ''}; autocannon: ${peerReqs ?? 'n/a'} requests`,
  );
  const warm = samples.filter((s) => s.t >= 60);
  const steady = warm.length >= 2 ? warm : samples.slice(1);
  console.log('series          after warm-up      last      peak    slope (MB/min)');
  const series: Array<[string, (s: Sample) => number | null]> = [
    ['engine rss', (s) => s.rss],
    ['engine heap', (s) => s.heap],
    ['autocannon rss', (s) => s.peer],
    ['target rss', (s) => s.target],
  ];
  for (const [name, get] of series) {
    const pts = steady.map((s) => ({ t: s.t, y: get(s) })).filter((p): p is { t: number; y: number } => p.y !== null);
    if (!pts.length) continue;
    const slope = slopePerMinute(pts.map((p) => ({ t: p.t, y: p.y / MB })));
    const peak = Math.max(...pts.map((p) => p.y));
    console.log(
      `${name.padEnd(15)} ${fmt(pts[0].y)}  ${fmt(pts[pts.length - 1].y)}  ${fmt(peak)}  ${slope === null ? 'n/a' : slope.toFixed(2)}`,
    );
  }
}

await main();
