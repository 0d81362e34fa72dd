/**
 * The shipped profiles end to end with their shipped targets untouched, as a
 * user runs them (the CLI in a child process, on this file's own database and
 * key prefix): `smoke`, `load`, `nightly`, `release` and `chaos`, each
 * compressed only in size and time (a profile file extending the shipped one
 * with a smaller dataset and `load.durationFactor`; chaos also has its fault
 * schedule scaled by the same factor, and no ladder step shorter than
 * MIN_LADDER_STEP_S). Each must pass (exit 0) on a healthy
 * build. From run.json: the verdict, and which scenarios each judged figure
 * came from and how many samples (the measured-load scenarios merged, never
 * smoke unless it is the only one; the count adds up to the per-scenario
 * counts in the k6 metric streams).
 *
 * A red run here is a finding about the scenario, the profile or the system
 * under test, never a reason to loosen a target: this file passes no
 * `targets` key at all.
 *
 * This folder runs after the rest of the suite, one file at a time
 * (vitest.profiles.config.ts): latency targets are absolute, and a machine
 * busy with other test files measures the other tests, as a nightly never
 * would.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepMerge } from '../../config/load.ts';
import { readK6Records } from '../../report/ndjson/index.ts';
import { parseRunJson, type RunJson } from '../../report/run-json.ts';
import { tempDir } from '../helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from '../helpers/services.ts';

const QUERY_TYPES = ['simple', 'join', 'aggregation', 'complex', 'index_scan'] as const;
const CACHE_OPS = ['get', 'set', 'del', 'exists'] as const;
type Shipped = 'smoke' | 'load' | 'nightly' | 'release' | 'chaos';

const prefix = testPrefix('shipped_profiles');
const redis = newRedis();
let db: TestDatabase;
let dir: string;

/**
 * How each shipped profile is compressed: its dataset scale and the fraction of every
 * duration it keeps. The long profiles keep enough time for every query type to reach the
 * 299 samples a p99 target needs (report/figure.ts minSamplesFor): query-mix reads
 * uniformly at the profile's rate, and only its cache misses reach PostgreSQL, so the
 * factor follows the profile's queryMixRate (load 20/s, nightly 25/s, release 30/s; the
 * fewest samples of a type are complex's, 295 at load ×0.25 and 348 at release ×0.15,
 * measured). chaos is judged on recovery and needs its seconds after each fault, so it
 * keeps its time (its scale is small already). smoke is small and short already. All use
 * seed 42, and the scale-1 ones share one dataset (seeded once).
 */
const COMPRESSION: Record<Shipped, { scale: number; factor: number }> = {
  smoke: { scale: 1, factor: 1 },
  load: { scale: 1, factor: 0.3 },
  nightly: { scale: 1, factor: 0.2 },
  release: { scale: 1, factor: 0.15 },
  chaos: { scale: 0.5, factor: 1 },
};

/**
 * The shortest ladder step a compressed profile keeps (seconds). Each step starts with all
 * of its users arriving at once, logging in within its first second while the pool opens
 * connections: measured at 100 users, every simple query over 50 ms of a 9-s step came in
 * its first second (30 of 332; p50 36 ms there, 0.3 ms after). The shipped steps (30-120 s)
 * dilute that burst; a step cut to a few seconds makes it the step's p95. So compression
 * stops at 18 s a step, which the release profile's ×0.15 reaches and passes.
 */
const MIN_LADDER_STEP_S = 18;

function shipped(name: Shipped): Record<string, unknown> {
  return JSON.parse(readFileSync(join('config/profiles', `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/**
 * The shipped profile, smaller and shorter (COMPRESSION): every duration ×factor, and for
 * chaos the fault schedule ×factor too (so every planned fault still falls inside the load).
 * `targets` is never touched.
 */
export function compressed(name: Shipped): Record<string, unknown> {
  const base = shipped(name);
  const { scale, factor } = COMPRESSION[name];
  const over: Record<string, unknown> = {
    description: `test: ${name}, compressed (scale ${scale}, durations ×${factor})`,
    seed: { scale },
    load: { durationFactor: factor },
  };
  const ladder = (base.load as { ladder?: { stepSeconds: number } }).ladder;
  if (ladder && ladder.stepSeconds * factor < MIN_LADDER_STEP_S)
    over.load = { durationFactor: factor, ladder: { stepSeconds: Math.ceil(MIN_LADDER_STEP_S / factor) } };
  const faults = base.faults as Array<{ atSeconds: number; durationSeconds: number }> | undefined;
  if (faults)
    over.faults = faults.map((f) => ({
      ...f,
      atSeconds: Math.max(1, Math.round(f.atSeconds * factor * 10) / 10),
      durationSeconds: Math.max(1, Math.round(f.durationSeconds * factor * 10) / 10),
    }));
  const merged = deepMerge(base, over);
  expect(merged.targets).toEqual(base.targets);
  return merged;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  resultsPath?: string;
}

function run(profile: object, name: string): Ran {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', join(dir, 'results'), '--quiet'],
    {
      env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  return {
    status: res.status,
    stdout: res.stdout,
    stderr: res.stderr,
    resultsPath: /^results: (.+)$/m.exec(res.stdout)?.[1],
  };
}

function readRun(r: Ran): RunJson {
  expect(r.resultsPath, r.stdout.slice(-3000) + r.stderr.slice(-2000)).toBeTruthy();
  return parseRunJson(readFileSync(join(r.resultsPath!, 'run.json'), 'utf8'), 'run.json');
}

function fig(r: RunJson, id: string) {
  const f = r.figures.find((x) => x.id === id);
  if (!f) throw new Error(`run.json has no figure ${id}`);
  return f;
}

/** Samples per scenario in its own k6 metric stream: db_query_duration per type, cache_op_duration per op, judged cache_hit reads. */
async function streamCounts(resultsPath: string, scenario: string) {
  const q: Record<string, number> = Object.fromEntries(QUERY_TYPES.map((t) => [t, 0]));
  const op: Record<string, number> = Object.fromEntries(CACHE_OPS.map((o) => [o, 0]));
  let expectedHits = 0;
  for await (const rec of readK6Records(join(resultsPath, 'k6', `${scenario}.metrics.ndjson`))) {
    if (!('point' in rec)) continue;
    const p = rec.point;
    if (p.metric === 'db_query_duration' && p.tags.query_type) q[p.tags.query_type] = (q[p.tags.query_type] ?? 0) + 1;
    else if (p.metric === 'cache_op_duration' && p.tags.op) op[p.tags.op] = (op[p.tags.op] ?? 0) + 1;
    else if (p.metric === 'cache_hit' && p.tags.cache_expect === 'hit') expectedHits++;
  }
  return { q, op, expectedHits };
}

/** "…, merged HDR of scenarios a, b, c (1,234 samples)" or "…, scenario a (12 samples)" -> the scenarios and the count. */
function judgedFrom(source: string): { scenarios: string[]; samples: number } {
  const m = /, (?:merged HDR of scenarios|scenario) (.+) \(([\d,]+) samples\)$/.exec(source);
  if (!m) throw new Error(`not a judged source naming its scenarios: ${source}`);
  return { scenarios: m[1].split(', '), samples: Number(m[2].replace(/,/g, '')) };
}

/** The scenarios a profile's targets are judged on: `targets.judgedOn`, else every one but smoke (smoke alone: smoke). */
function judgedScenarios(profile: Record<string, unknown>) {
  const scenarios = (profile.load as { scenarios: string[] }).scenarios;
  const measured = scenarios.length === 1 ? scenarios : scenarios.filter((s) => s !== 'smoke');
  const on = (profile.targets as { judgedOn?: { queryTypes?: string[]; cache?: string[] } } | undefined)?.judgedOn;
  return {
    scenarios,
    queryTypes: on?.queryTypes ? scenarios.filter((s) => on.queryTypes!.includes(s)) : measured,
    cache: on?.cache ? scenarios.filter((s) => on.cache!.includes(s)) : measured,
  };
}

/** A compressed shipped profile: it passes, and every judged figure names where it came from. */
function shippedProfileSuite(name: Shipped) {
  describe(`the shipped ${name} profile, compressed, shipped targets`, () => {
    let ran: Ran;
    let r: RunJson;
    const profile = compressed(name);
    const judged = judgedScenarios(profile);
    const judgesPercentiles = (profile.targets as { percentiles?: boolean } | undefined)?.percentiles !== false;
    let counts: Record<string, Awaited<ReturnType<typeof streamCounts>>>;

    beforeAll(async () => {
      ran = run(profile, name);
      r = readRun(ran);
      counts = Object.fromEntries(
        await Promise.all(judged.scenarios.map(async (s) => [s, await streamCounts(ran.resultsPath!, s)] as const)),
      );
    }, 320_000);

    it('runs every scenario of the profile and passes (exit 0)', () => {
      expect(ran.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.reasons, ran.stdout.slice(-4000)).toEqual([]);
      expect(ran.status).toBe(0);
      expect(r.exitCode).toBe(0);
      expect(r.verdict).toBe('PASS');
      for (const s of judged.scenarios)
        expect(existsSync(join(ran.resultsPath!, 'k6', `${s}.metrics.ndjson`)), s).toBe(true);
      expect(r.scenarios.map((s) => [s.name, s.exitCode])).toEqual(judged.scenarios.map((s) => [s, 0]));
      const ladder = (profile.load as { ladder?: { users: number[] } }).ladder;
      if (judged.scenarios.includes('ladder'))
        for (const u of ladder!.users) expect(fig(r, `ladder.${u}.requests`).value, `step ${u}`).toBeGreaterThan(0);
      // junit.xml agrees: no failing test case in a passing run
      const junit = readFileSync(join(ran.resultsPath!, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testcase /);
      expect(junit).not.toMatch(/<failure|<error/);
    });

    it('judges each query type on its judged-on scenarios merged, counting their samples', () => {
      let all = 0;
      for (const qt of QUERY_TYPES) {
        const sum = judged.queryTypes.reduce((a, s) => a + counts[s].q[qt], 0);
        all += sum;
        for (const stat of ['p95', 'p99']) {
          const f = fig(r, `query.${qt}.${stat}`);
          expect(f.source).toMatch(new RegExp(`^k6 db_query_duration\\{query_type:${qt}\\} from Server-Timing, `));
          expect(judgedFrom(f.source), f.id).toEqual({ scenarios: judged.queryTypes, samples: sum });
          // a profile that sets targets.percentiles false (smoke, chaos) shows them unjudged
          if (judgesPercentiles) expect(f.pass, `${f.id} = ${f.value} on ${sum}`).toBe(true);
          else expect([f.pass, f.note], f.id).toEqual([undefined, expect.stringContaining('not judged')]);
        }
      }
      const avg = fig(r, 'query.all.avg');
      expect(judgedFrom(avg.source)).toEqual({ scenarios: judged.queryTypes, samples: all });
      expect(avg.pass).toBe(true);
    });

    it('judges the cache on expected-hit reads of its judged-on scenarios, counting their samples', () => {
      let allOps = 0;
      for (const op of CACHE_OPS) allOps += judged.cache.reduce((a, s) => a + counts[s].op[op], 0);
      const opAvg = fig(r, 'cache.all.avg');
      expect(judgedFrom(opAvg.source)).toEqual({ scenarios: judged.cache, samples: allOps });
      expect(opAvg.pass).toBe(true);
      const hitRate = fig(r, 'cache.hitRate');
      expect(hitRate.source).toContain('cache_expect:hit');
      const expected = judged.cache.reduce((a, s) => a + counts[s].expectedHits, 0);
      expect(expected).toBeGreaterThan(0);
      expect(judgedFrom(hitRate.source)).toEqual({ scenarios: judged.cache, samples: expected });
      expect(hitRate.pass, `hit rate ${hitRate.value}`).toBe(true);
    });
  });
}

describe('shipped profiles end to end', () => {
  beforeAll(async () => {
    db = await createTestDatabase('shipped_profiles');
    dir = tempDir('acgs-shipped-');
    await clearPrefix(redis, prefix);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  shippedProfileSuite('smoke');
  shippedProfileSuite('load');
  shippedProfileSuite('nightly');
  shippedProfileSuite('release');
  shippedProfileSuite('chaos');
});
