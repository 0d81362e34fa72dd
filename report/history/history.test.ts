/**
 * `acgs-load history` through the CLI, on runs shaped by a real one: one
 * compressed query-mix run on this file's own database and key prefix gives
 * a real run.json (its figures, targets, commit); histories are made of
 * copies of it, each a run of its own (run id, start, commit) with the
 * figures' values changed on purpose:
 *
 *  - one step: the aggregation p95 ×1.6 from the 7th of 12 runs, every other
 *    figure with seeded noise of ±3 %: the change point is at run #7, and
 *    nowhere else; the same step over 6 runs is marked too (Student's t: six
 *    runs are too few for a permutation test to reach α);
 *  - flat: the same noise and no step: no change point in any figure;
 *  - a slow drift: +2 % a run over 24 runs, a step no night-over-night
 *    compare at its 10 % tolerance would flag, is found;
 *  - bad input: a run folder without run.json, one run, two profiles, a bad
 *    flag: one line naming it, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { History, RunJson } from '../index.ts';
import { tempDir } from '../../test/helpers/temp.ts';
import {
  clearPrefix,
  createTestDatabase,
  newRedis,
  testPrefix,
  type TestDatabase,
} from '../../test/helpers/services.ts';
import { seededUniform } from './significance.ts';

const prefix = testPrefix('history_cli');
const redis = newRedis();
let db: TestDatabase;
let dir: string;
let real: RunJson;

const STEPPED = 'query.aggregation.p95';

function cli(args: string[]) {
  return spawnSync(process.execPath, ['bin/acgs-load.js', ...args], {
    env: { ...process.env, BASE_URL: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

/**
 * Writes `n` runs into a new results folder: copies of the real run, a day
 * apart, each with its own id and commit, every numeric figure scaled by
 * `factor(id, run)`.
 */
function history(name: string, n: number, factor: (id: string, i: number) => number, profile = real.profile): string {
  const root = join(dir, name);
  for (let i = 0; i < n; i++) {
    const start = new Date(Date.parse('2026-11-01T02:17:00Z') + i * 86_400_000);
    // A run id is unique (a random suffix); here: the history's name and the run's number.
    const stamp = start
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const runId = `${stamp}-${name}${i}`;
    const run: RunJson = {
      ...real,
      runId,
      profile,
      startedAt: start.toISOString(),
      environment: {
        ...real.environment,
        git: { commit: `${String(i).padStart(2, '0')}${'c'.repeat(38)}`, dirty: false, source: 'test' },
      },
      figures: real.figures.map((f) => (f.value === null ? f : { ...f, value: f.value * factor(f.id, i) })),
    };
    mkdirSync(join(root, runId), { recursive: true });
    writeFileSync(join(root, runId, 'run.json'), JSON.stringify(run));
  }
  return root;
}

/** ±3 % noise on every value, the same for a given seed. */
function noise(seed: number): (id: string, i: number) => number {
  const rand = seededUniform(seed);
  const drawn = new Map<string, number>();
  return (id, i) => {
    const k = `${id}#${i}`;
    if (!drawn.has(k)) drawn.set(k, 1 + (rand() - 0.5) * 0.06);
    return drawn.get(k)!;
  };
}

function historyJson(root: string, extra: string[] = []): History {
  const res = cli(['history', root, '--json', ...extra]);
  expect(res.status, res.stderr.slice(-2000)).toBe(0);
  return JSON.parse(res.stdout) as History;
}

const changesOf = (h: History) =>
  Object.fromEntries(
    h.figures.filter((f) => f.changePoints.length).map((f) => [f.id, f.changePoints.map((c) => c.run + 1)]),
  );

beforeAll(async () => {
  db = await createTestDatabase('history_cli');
  dir = tempDir('acgs-history-');
  await clearPrefix(redis, prefix);
  const profile = join(dir, 'profile.json');
  writeFileSync(
    profile,
    JSON.stringify({
      description: 'test: query-mix, compressed',
      seed: { scale: 0.05, seed: 42 },
      load: { scenarios: ['query-mix'], durationFactor: 0.2, queryMixRate: 20 },
      checks: { graceSeconds: 1 },
      targets: { cacheHitRate: 0, poolEfficiency: 0, successRate: 0.5, avgQueryMs: 60_000, redisOpMs: 60_000 },
    }),
  );
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', profile, '--results-dir', join(dir, 'real'), '--quiet'],
    {
      env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  // Any verdict will do (a history shows failing runs too); what is needed is the run.json a real run writes.
  expect([0, 4], res.stdout.slice(-3000) + res.stderr.slice(-2000)).toContain(res.status);
  const results = /^results: (.+)$/m.exec(res.stdout)![1];
  real = JSON.parse(readFileSync(join(results, 'run.json'), 'utf8')) as RunJson;
}, 240_000);

afterAll(async () => {
  await clearPrefix(redis, prefix);
  redis.disconnect();
  await db?.drop();
});

describe('acgs-load history', () => {
  it('a real run records the commit it was made from', () => {
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(real.environment.git).toMatchObject({ commit: head, source: 'git rev-parse HEAD' });
    expect(real.figures.filter((f) => f.target).length).toBeGreaterThan(10);
  });

  it('one step over 12 runs: marked at the run it starts, worse, and nowhere else', () => {
    const n = noise(1);
    const root = history('step', 12, (id, i) => n(id, i) * (id === STEPPED && i >= 6 ? 1.6 : 1));
    const h = historyJson(root);
    expect(h.runs.map((r) => Number(r.commit?.slice(0, 2)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const { [STEPPED]: stepped, ...others } = changesOf(h);
    expect(stepped).toEqual([7]);
    // Each other figure is tested at α = 0.01 too: about 1 in 7 such histories shows one false change
    // point among the ~15 figures that vary; three would be a broken test (binomial P < 0.001).
    expect(Object.values(others).flat().length, JSON.stringify(others)).toBeLessThan(3);
    const cp = h.figures.find((f) => f.id === STEPPED)!.changePoints[0];
    expect(cp).toMatchObject({ worse: true, test: 'permutation' });
    expect(cp.pValue).toBeLessThanOrEqual(h.method.alpha);
    expect(cp.change!).toBeGreaterThan(0.5);
    // the judged figures only (those with a target), each with a value per run
    expect(h.figures.every((f) => f.target)).toBe(true);
    expect(h.figures.every((f) => f.values.length === 12)).toBe(true);
    // the text names the run, its commit and the levels
    const text = cli(['history', root]).stdout;
    expect(text).toMatch(
      /from run #7 \(\S+-step6, commit 06ccccc\) .* → .* \(\+\d+\.\d %, worse\); permutation test p = /,
    );
  });

  it("the same step over 6 runs: marked at run #4 by Student's t", () => {
    const n = noise(2);
    const h = historyJson(history('step6', 6, (id, i) => n(id, i) * (id === STEPPED && i >= 3 ? 1.6 : 1)));
    expect(changesOf(h)[STEPPED]).toEqual([4]);
    expect(h.figures.find((f) => f.id === STEPPED)!.changePoints[0].test).toBe('t');
  });

  it('flat: the same noise without a step gives no change point in the figure', () => {
    const root = history('flat', 12, noise(1));
    expect(changesOf(historyJson(root, ['--figure', STEPPED]))).toEqual({});
    // and at most a false one or two over every judged figure (each at α = 0.01, see above)
    expect(Object.values(changesOf(historyJson(root))).flat().length).toBeLessThan(3);
    // identical runs: nothing at all
    expect(cli(['history', history('identical', 12, () => 1)]).stdout).toMatch(
      /No change point in any of the \d+ figures\./,
    );
  });

  it('a slow drift (+2 % a run over 24 runs) that no night-over-night compare would flag is found', () => {
    const n = noise(3);
    const factor = (id: string, i: number) => n(id, i) * (id === STEPPED ? 1.02 ** i : 1);
    const root = history('drift', 24, factor);
    const values = Array.from({ length: 24 }, (_, i) => factor(STEPPED, i));
    const nightly = values.slice(1).map((v, i) => Math.abs(v / values[i] - 1));
    expect(Math.max(...nightly)).toBeLessThan(0.1); // compare's default tolerance
    const html = join(dir, 'drift.html');
    const res = cli(['history', root, '--figure', STEPPED, '--html', html, '--json']);
    expect(res.status, res.stderr).toBe(0);
    const h = JSON.parse(res.stdout) as History;
    const f = h.figures.find((x) => x.id === STEPPED)!;
    expect(h.figures.map((x) => x.id)).toEqual([STEPPED]);
    expect(f.changePoints.length).toBeGreaterThan(0);
    expect(f.changePoints.every((c) => c.worse && c.after > c.before)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain(`data-chart="history-${STEPPED}"`);
    expect(page).toContain('data-series="change point (first run of a new level)"');
    expect(page).not.toMatch(/<script|src="http/);
  });

  it('--markdown for a step summary; --all widens to every figure', () => {
    const root = history('md', 4, noise(4));
    const md = cli(['history', root, '--markdown']).stdout;
    expect(md).toMatch(/^### acgs-load history: 4 runs of profile /);
    expect(md).toContain('| run | started (UTC) | commit | verdict | run id |');
    const judged = historyJson(root).figures.length;
    expect(historyJson(root, ['--all']).figures.length).toBeGreaterThan(judged);
  });
});

describe('acgs-load history: bad input is one line and exit 2', () => {
  const bad = (args: string[], message: RegExp) => {
    const res = cli(['history', ...args]);
    expect(res.status, res.stdout + res.stderr).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at |internal error/);
  };

  it('a run folder without run.json, a folder with no run, a path that does not exist', () => {
    const root = history('broken', 3, () => 1);
    const half = join(root, '20261201T000000Z-dead');
    mkdirSync(half);
    writeFileSync(join(half, 'report.md'), '# a run that did not finish\n');
    bad([root], /run folder '.*20261201T000000Z-dead' has no run\.json/);
    bad([half], /run folder '.*20261201T000000Z-dead' has no run\.json/);
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'k6'), { recursive: true });
    bad([empty], /holds no run/);
    bad([join(dir, 'nowhere')], /does not exist/);
  });

  it('fewer than 2 runs, runs of two profiles, a damaged run.json, bad flags', () => {
    bad([history('one', 1, () => 1)], /history needs at least 2 runs; found 1/);
    const two = history('profiles-a', 2, () => 1, 'nightly');
    const other = history('profiles-b', 2, () => 1, 'smoke');
    bad([two, other], /the runs are of 2 profiles: nightly \(2\), smoke \(2\)/);
    expect(cli(['history', two, other, '--profile', 'nightly', '--json']).status).toBe(0);
    const damaged = history('damaged', 2, () => 1);
    const first = join(damaged, spawnSync('ls', [damaged], { encoding: 'utf8' }).stdout.split('\n')[0], 'run.json');
    writeFileSync(first, '{"schema": "acgs-load/run@1", "figures"');
    bad([damaged], /is not JSON/);
    bad([two, '--test', 'bayes'], /--test 'bayes' is not a significance test/);
    bad([two, '--alpha', '2'], /--alpha '2' is not a significance level/);
    bad([two, '--figure', 'nosuch.*'], /--figure nosuch\.\* matches no figure/);
  });
});
