/**
 * What turns a run of a long profile into a failure, as a user runs it (the
 * CLI in a child process, on this file's own database and key prefix), on a
 * compressed profile that extends the shipped `nightly` (a small dataset,
 * short durations, targets no busy machine can miss, so that only the cause
 * under test fails the run). The shipped profiles themselves, with their
 * shipped targets, run in test/profiles/shipped-profiles.test.ts.
 *
 * One run each on the smallest profile that shows it, on the same seeded database: a dropped index and a changed
 * column type (refused before any load, exit 6, SCHEMA_DRIFT naming them); a
 * cache prefix the checkers find empty (a deployment given by --base-url that
 * caches under another prefix: NO DATA, exit 4); a ladder step whose users
 * could not complete one request (stuck behind an exhausted pool past the
 * step's end: NO DATA, exit 4); a scenario's metric stream missing when the
 * checkers run (the acknowledged writes unknown: NO DATA, exit 4).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepMerge } from '../config/load.ts';
import { parseRunJson, type RunJson } from '../report/run-json.ts';
import { seedDatabase } from '../seed/index.ts';
import { tempDir } from './helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const QUERY_TYPES = ['simple', 'join', 'aggregation', 'complex', 'index_scan'] as const;

const prefix = testPrefix('long_profiles');
/** The prefix the deployment of the empty-prefix case caches under (not the run's). */
const otherPrefix = testPrefix('long_profiles_api');
const redis = newRedis();
let db: TestDatabase;
let dir: string;

/**
 * Targets no busy machine can miss, and no p95/p99 judged (these short runs send fewer
 * queries of a type than a percentile needs): this file tests what fails a run, one cause
 * at a time.
 */
const LOOSE_TARGETS = {
  percentiles: false,
  cacheHitRate: 0,
  poolEfficiency: 0,
  successRate: 0.5,
  avgQueryMs: 60_000,
  redisOpMs: 60_000,
  queryTypes: Object.fromEntries(QUERY_TYPES.map((t) => [t, { p95Ms: 60_000, p99Ms: 60_000 }])),
};

/**
 * A profile file extending a shipped one: the same scenarios, ladder users,
 * think time and rates; a small dataset, every duration ×0.05 (each ladder
 * step 40 s × 0.05 = 2 s), loose targets. nightly and release share seed 42,
 * so at the same scale they share the dataset (the second run skips seeding).
 */
function compressed(base: 'nightly' | 'release', over: Record<string, unknown> = {}): Record<string, unknown> {
  const shipped = JSON.parse(readFileSync(join('config/profiles', `${base}.json`), 'utf8')) as Record<string, unknown>;
  return deepMerge(
    deepMerge(shipped, {
      description: `test: ${base}, compressed`,
      seed: { scale: 0.05 },
      load: { durationFactor: 0.05, ladder: { stepSeconds: 40 } },
      checks: { graceSeconds: 1 },
      targets: LOOSE_TARGETS,
    }),
    over,
  );
}

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix, ...extra };
}

function args(profile: object, name: string, extra: string[], results = join(dir, 'results')): string[] {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  return ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', results, '--quiet', ...extra];
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  resultsPath?: string;
}

function run(profile: object, name: string, extra: string[] = []): Ran {
  const res = spawnSync(process.execPath, args(profile, name, extra), {
    env: env(),
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr, resultsPath: resultsOf(res.stdout) };
}

const resultsOf = (stdout: string) => /^results: (.+)$/m.exec(stdout)?.[1];

/** `run`, calling `onLine` with each line of its output as it comes. */
function runWatching(profile: object, name: string, results: string, onLine: (line: string) => void): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args(profile, name, [], results), {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const lines = (partial + d).split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine(l);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, resultsPath: resultsOf(stdout) });
    });
  });
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

async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

describe('long profiles end to end', () => {
  beforeAll(async () => {
    db = await createTestDatabase('long_profiles');
    // The dataset of the compressed profile (seed 42, scale 0.05): the runs below keep it.
    await seedDatabase({ databaseUrl: db.url, scale: 0.05, seed: 42 });
    dir = tempDir('acgs-long-');
    await clearPrefix(redis, prefix);
    await clearPrefix(redis, otherPrefix);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    await clearPrefix(redis, otherPrefix);
    redis.disconnect();
    await db?.drop();
  });

  describe('what fails a run', () => {
    // The dataset seeded above, kept by each run and checked against the migrations.
    // (judgedOn narrowed with the scenarios: a name not in load.scenarios is refused)
    const smokeOnly = compressed('nightly', {
      load: { scenarios: ['smoke'] },
      targets: { judgedOn: { cache: ['smoke'] } },
    });

    it('refuses a dataset whose index was dropped before any load: exit 6, SCHEMA_DRIFT naming the index', async () => {
      await sql('DROP INDEX principles_category_idx');
      try {
        const res = run(smokeOnly, 'dropped-index');
        expect(res.status, res.stdout.slice(-2000) + res.stderr.slice(-2000)).toBe(6);
        const out = res.stdout + res.stderr;
        expect(out).toContain('error[SCHEMA_DRIFT]');
        expect(out).toContain('principles_category_idx');
        expect(out).not.toContain('▶ scenarios');
        expect(res.resultsPath).toBeUndefined();
      } finally {
        await sql('CREATE INDEX IF NOT EXISTS principles_category_idx ON principles (category)');
      }
    }, 120_000);

    it('refuses a dataset whose column type was changed: exit 6, SCHEMA_DRIFT naming the column', async () => {
      await sql('ALTER TABLE users ALTER COLUMN display_name TYPE varchar(200)');
      try {
        const res = run(smokeOnly, 'changed-column');
        expect(res.status, res.stdout.slice(-2000) + res.stderr.slice(-2000)).toBe(6);
        const out = res.stdout + res.stderr;
        expect(out).toContain('error[SCHEMA_DRIFT]');
        expect(out).toMatch(/users\.display_name|display_name/);
        expect(out).not.toContain('▶ scenarios');
        expect(res.resultsPath).toBeUndefined();
      } finally {
        await sql('ALTER TABLE users ALTER COLUMN display_name TYPE text');
      }
    }, 120_000);

    it('fails with NO DATA (exit 4) when the checkers find the cache prefix empty: a --base-url deployment caching under another prefix', async () => {
      // The deployment: the reference API on the same database, caching under its own prefix.
      const api: ChildProcess = spawn(process.execPath, ['bin/acgs-load.js', 'api', '--port', '0'], {
        env: env({ ACGS_REDIS_PREFIX: otherPrefix }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          const t = setTimeout(() => reject(new Error(`the API did not start: ${out}`)), 60_000);
          api.stdout!.setEncoding('utf8').on('data', (d: string) => {
            out += d;
            const m = /listening on (\S+)/.exec(out);
            if (m) {
              clearTimeout(t);
              resolve(m[1]);
            }
          });
          api.on('exit', (code) => reject(new Error(`the API exited with ${code}: ${out}`)));
        });
        await clearPrefix(redis, prefix);
        // The run does not warm its own (empty) prefix; the deployment caches elsewhere.
        const res = run(
          compressed('nightly', {
            load: { scenarios: ['smoke'] },
            targets: { judgedOn: { cache: ['smoke'] } },
            cache: { warmOnStart: false },
          }),
          'empty-prefix',
          ['--base-url', url],
        );
        const r = readRun(res);
        expect(res.status, res.stdout.slice(-3000)).toBe(4);
        expect(r.exitCode).toBe(4);
        const sync = fig(r, 'consistency.cache-db-sync.violations');
        expect(fig(r, 'consistency.cache-db-sync.checked').value).toBe(0);
        expect(sync.value).toBeNull();
        expect(sync.pass).toBeNull();
        expect(r.reasons.join('\n')).toMatch(/cache-db-sync/);
        expect(r.reasons.join('\n')).toMatch(/not measured|NO DATA/i);
        // no reason other than checkers without data
        for (const reason of r.reasons) expect(reason, reason).toMatch(/not measured|NO DATA/i);
      } finally {
        api.kill('SIGTERM');
        await new Promise((res) => (api.exitCode !== null ? res(null) : api.once('exit', res)));
      }
    }, 200_000);

    it('fails with NO DATA (exit 4) on a ladder step that sent no request: its users stuck behind an exhausted pool', () => {
      // Two 2-s steps (users_2 at 0 s, users_3 at 4 s, each with a 2-s graceful stop). The
      // pool-exhaust fault holds every pool connection from 3 s to 15 s after the scenario
      // starts (its setup() included, so a slow setup still leaves users_3 inside the fault):
      // users_3's VUs start their journeys by logging in (a database write), wait for a
      // connection past their step's graceful stop and are interrupted, so the step completes
      // no request at all.
      const res = run(
        compressed('nightly', {
          load: { scenarios: ['ladder'], durationFactor: 1, ladder: { users: [2, 3], stepSeconds: 2 } },
          targets: { judgedOn: { cache: ['ladder'] } },
        }),
        'zero-request-step',
        ['--fault', 'pool-exhaust@3s:12s'],
      );
      const r = readRun(res);
      expect(res.status, res.stdout.slice(-3000)).toBe(4);
      expect(r.exitCode).toBe(4);
      expect(fig(r, 'ladder.2.requests').value).toBeGreaterThan(0);
      expect(fig(r, 'ladder.3.requests').value).toBe(0);
      const step = fig(r, 'ladder.3.success');
      expect(step.value).toBeNull();
      expect(step.pass).toBeNull();
      expect(r.reasons).toContain(
        'target missed: 3 users success rate not measured (no sample of k6 http_req_failed{scenario:users_3}: the step sent no request, or the summary lacks it)',
      );
    }, 120_000);

    it("fails with NO DATA (exit 4) on the acknowledged writes when a scenario's metric stream is missing at check time", async () => {
      // smoke and write-contention, the targets judged on smoke: the only figure left without data
      // is the one the missing stream takes away.
      const profile = compressed('nightly', {
        load: { scenarios: ['smoke', 'write-contention'] },
        targets: { judgedOn: { queryTypes: ['smoke'], cache: ['smoke'] } },
      });
      const results = join(dir, 'results-missing-stream');
      let removed: string | null = null;
      const res = await runWatching(profile, 'missing-stream', results, (line) => {
        // The scenarios finished: the stream goes before the checkers read it (the quiesce
        // and after-snapshot stages come between).
        if (removed !== null || !line.startsWith('✓ scenarios (')) return;
        const runDir = readdirSync(results).find((n) => n !== 'latest');
        const stream = join(results, runDir!, 'k6', 'write-contention.metrics.ndjson');
        if (existsSync(stream)) {
          unlinkSync(stream);
          removed = stream;
        }
      });
      expect(removed, 'the stream was there after the scenarios, and was removed').not.toBeNull();
      expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
      const r = readRun(res);
      expect(res.status, res.stdout.slice(-3000)).toBe(4);
      expect(r.exitCode).toBe(4);
      // the scenarios themselves passed; the write-contention stream is what is missing
      expect(r.scenarios.map((s) => [s.name, s.exitCode])).toEqual([
        ['smoke', 0],
        ['write-contention', 0],
      ]);
      const acked = fig(r, 'consistency.concurrent-access.violations');
      expect(acked.value).toBeNull();
      expect(acked.pass).toBeNull();
      expect(acked.note).toContain('acknowledged writes unknown');
      expect(acked.note).toContain('write-contention.metrics.ndjson missing');
      expect(r.reasons.some((x) => x.includes('concurrent-access'))).toBe(true);
      // that is the only reason: no target judged on smoke failed, no checker found violations
      for (const reason of r.reasons) expect(reason).toMatch(/concurrent-access/);
    }, 200_000);
  });
});
