/**
 * bench:compare — false alarms and power of the regression call, measured on
 * this machine through the real CLI (issue 21). A compressed nightly (the
 * shipped config/profiles/nightly.json at a small scale and load.durationFactor)
 * is run as CI runs it, `acgs-load run --profile FILE` in a child process:
 *
 *  1. `--baseline-runs` runs (5) -> `acgs-load baseline save`;
 *  2. `--runs` more runs of the same build (10), each `compare RUN --baseline`:
 *     the figures flagged per run are false alarms;
 *  3. one run with one query type slowed by `--factor` (1.2: each such query
 *     held 20 % of its own time longer, api.defects.slowQueryFactor): is it
 *     flagged, on which figures, on any other query type?
 *  4. one run with a tail-only slowdown (api.defects.slowQueryTailRate 2 % of
 *     that type's queries + slowQueryTailMs), the delay chosen from the
 *     baseline's measured p50 and p99 of the type so that p99 becomes
 *     `--tail-times` (3) × p99 while the median moves by about one percentile:
 *     is it flagged on p99?
 *
 *   npm run bench:compare [-- --runs 10 --baseline-runs 5 --scale 1 --duration-factor 0.1
 *                             --type aggregation --factor 1.2 --tail-rate 0.02 --tail-times 3]
 *
 * Scale 1 with durationFactor 0.1 is the shortest at which every query type has
 * 200 or more samples in a run's judged figures. complex is the rarest, and
 * it grows with the data, not the duration: its report is cached per policy,
 * so a small dataset serves it from Redis (measured: scale 0.2 gave 114-121
 * complex queries at 0.1, 147 at 0.2, 162 at 0.4; scale 1 and 2 gave 200 at
 * 0.1). The table prints the fewest seen. A run takes about 75 s on a quiet
 * 2-core machine, so the default bench (17 runs) about 22 minutes.
 *
 * One build: the CLI rebuilds itself when a source is newer, so the bench
 * stops when the bundles change between runs (run it on a checkout nobody
 * edits meanwhile). A run that missed targets (exit 4) is data; one that did
 * not complete stops the bench.
 *
 * Prints a table, then as its LAST line one JSON object with the figures.
 * Data: its own database acgs_bench_compare on the admin server (kept: the
 * next bench skips the seed by its fingerprint), key prefix bench_compare:
 * (deleted at the end), results in a temp dir (printed; kept for reading).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { deepMerge, QUERY_TYPES } from '../config/index.ts';
import { deletePrefix } from '../services/index.ts';
import { admin, dbUrl, REDIS_URL } from './redis-pg-peers.ts';
import {
  compareWithBaseline,
  freezeBuild,
  median,
  runProfile,
  saveBaseline,
  type BenchEnv,
  type Compared,
  type DoneRun,
} from './compare-runs.ts';
import { renderReport, type Settings } from './compare-report.ts';

const DB = 'acgs_bench_compare';
const PREFIX = 'bench_compare:';

function flag(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got '${process.argv[i + 1]}'`);
  return n;
}
function typeFlag(): string {
  const i = process.argv.indexOf('--type');
  const t = i < 0 ? 'aggregation' : process.argv[i + 1];
  if (!(QUERY_TYPES as readonly string[]).includes(t)) throw new Error(`--type is one of ${QUERY_TYPES.join(', ')}`);
  return t;
}

const RUNS = flag('runs', 10);
const BASELINE_RUNS = flag('baseline-runs', 5);
const S: Settings = {
  type: typeFlag(),
  factor: flag('factor', 1.2),
  tailRate: flag('tail-rate', 0.02),
  tailTimes: flag('tail-times', 3),
  scale: flag('scale', 1),
  durationFactor: flag('duration-factor', 0.1),
};

async function main(): Promise<void> {
  const nightly = JSON.parse(readFileSync('config/profiles/nightly.json', 'utf8')) as Record<string, unknown>;
  const base = deepMerge(nightly, { seed: { scale: S.scale }, load: { durationFactor: S.durationFactor } });
  const dir = mkdtempSync(join(tmpdir(), 'acgs-bench-compare-'));
  const env: BenchEnv = {
    dir,
    profileFile: join(dir, 'nightly-compressed.json'),
    databaseUrl: dbUrl(DB),
    prefix: PREFIX,
  };
  if ((await admin(`SELECT 1 FROM pg_database WHERE datname = '${DB}'`)).length === 0)
    await admin(`CREATE DATABASE ${DB}`);
  const redis = new Redis(REDIS_URL);
  console.log(
    `compare bench: nightly at scale ${S.scale}, durationFactor ${S.durationFactor}; ${BASELINE_RUNS} baseline runs, ` +
      `${RUNS} runs of the same build, ${S.type} ×${S.factor}, ${S.type} tail ${S.tailRate * 100} %; results in ${dir}`,
  );
  const sameBuild = freezeBuild(env);
  const run = (label: string, profile: Record<string, unknown>, baseline?: string) => {
    const r = runProfile(env, label, profile);
    sameBuild();
    const c = baseline ? compareWithBaseline(env, r, baseline) : undefined;
    console.log(
      `  ${label}: run exit ${r.exitCode} in ${r.seconds.toFixed(0)} s${c ? `, compare exit ${c.exitCode}` : ''}`,
    );
    return { run: r, c: c as Compared };
  };
  try {
    const baselineRuns: DoneRun[] = [];
    for (let i = 1; i <= BASELINE_RUNS; i++) baselineRuns.push(run(`baseline-${i}`, base).run);
    const baseline = saveBaseline(env, baselineRuns);
    const same = Array.from({ length: RUNS }, (_, i) => run(`same-${i + 1}`, base, baseline));

    const bq = (stat: string) => median(baselineRuns.map((r) => r.figures.get(`query.${S.type}.${stat}`)));
    const [p50, p99] = [bq('p50'), bq('p99')];
    if (p50 === null || p99 === null) throw new Error(`the baseline runs have no ${S.type} query figures`);
    // With a rate r above 1 %, p99 falls inside the delayed share (at its (r − 1 %)/r point: its median for
    // 2 %), so p99 ≈ delay + p50; the median moves only to the undelayed share's 50/(1 − r) percentile.
    const tailMs = Math.max(1, S.tailTimes * p99 - p50);
    const slowed = (d: Record<string, unknown>) =>
      deepMerge(base, { api: { defects: { slowQueryType: S.type, ...d } } });
    const slow = run('slowed', slowed({ slowQueryFactor: S.factor }), baseline);
    const tail = run('tail', slowed({ slowQueryTailRate: S.tailRate, slowQueryTailMs: tailMs }), baseline);

    const { text, json } = renderReport({ baselineRuns, same, slow, tail, p50, p99, tailMs, dir }, S);
    process.stdout.write(text + '\n' + json + '\n');
  } finally {
    await deletePrefix(redis, PREFIX, 5000);
    redis.disconnect();
  }
}

await main();
