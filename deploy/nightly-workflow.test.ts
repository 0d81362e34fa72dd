/**
 * deploy/ci/nightly.yml's shell steps (deploy/ci/nightly-steps.sh), run as
 * the workflow runs them, night after night, on a temporary folder and this
 * file's own database and key prefix, without GitHub: each night is
 * `baseline`, `run`, `keep`, `compare`, `history`, with $GITHUB_OUTPUT and
 * $GITHUB_STEP_SUMMARY as files. Nothing of acgs-load is faked: each night is
 * a real `acgs-load run` of a compressed query-mix profile (NIGHTLY_PROFILE;
 * the shipped nightly takes an hour), always from the same profile file, as
 * one workflow's nights are. Each night starts from a fresh checkout, as on
 * GitHub: only baseline-runs/ and history-runs/ (the Actions cache) remain.
 *
 * A compressed night is short, and too short to judge every p99 target (a
 * p99 needs 299 samples of its query type), so an ordinary night here may
 * exit 4 as well as 0; night 1 misses a target for certain. A workflow that
 * kept only passing nights would never build a baseline from such nights, as
 * the shipped nightly never did while its hit-rate target could not be met
 * (issue 21).
 *
 *   1  a target missed (exit 4)      complete, so kept (1 of 5)
 *   2  its metric stream lost        dropped: not complete
 *   3  a profile that does not load  dropped: no results (exit 2)
 *   4–7 ordinary (exit 0 or 4)      kept (2, 3, 4, 5 of 5)
 *   8  ordinary (exit 0 or 4)        baseline built from the 5 kept; compare exit 0; not added
 *   9  cache entries without a TTL   consistency violated (exit 3); compare exit 7; kept for the history
 *
 * night-complete.mjs, the rule for "complete", is also broken on purpose
 * (aborted, a scenario that did not run or failed, a summary export missing,
 * run.json damaged) and must say so.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from '../test/helpers/services.ts';

const STEPS = fileURLToPath(new URL('./ci/nightly-steps.sh', import.meta.url));
const COMPLETE = fileURLToPath(new URL('./ci/night-complete.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../bin/acgs-load.js', import.meta.url));

const prefix = testPrefix('nightly_workflow');
const redis = newRedis();
let db: TestDatabase;
let ws: string;

/** The compressed nightly: query-mix alone, a small dataset, a few seconds, targets a busy machine meets. */
function profile(over: { targets?: Record<string, number>; defects?: Record<string, unknown> } = {}) {
  return {
    description: 'test: the nightly workflow, compressed',
    seed: { scale: 0.05, seed: 42 },
    load: { scenarios: ['query-mix'], durationFactor: 0.1, queryMixRate: 50 },
    checks: { graceSeconds: 1 },
    targets: {
      cacheHitRate: 0,
      poolEfficiency: 0,
      successRate: 0.5,
      avgQueryMs: 60_000,
      redisOpMs: 60_000,
      ...over.targets,
    },
    api: { defects: over.defects ?? {} },
  };
}

interface Night {
  /** key=value lines the steps wrote to $GITHUB_OUTPUT. */
  out: Record<string, string>;
  summary: string;
  log: string;
  /** Exit status of each step. */
  status: Record<string, number | null>;
}

/**
 * One night: the steps in the workflow's order. `between` runs after the run
 * step (to damage its results as a crash would).
 */
function night(n: number, p: object, opts: { profileFile?: string; between?: (runDir: string) => void } = {}): Night {
  // A fresh checkout: what the workflow does not carry from night to night is gone.
  for (const f of ['results', 'baseline.json', 'comparison.md', 'history.html', 'nightly-state.env'])
    rmSync(join(ws, f), { recursive: true, force: true });
  const file = join(ws, 'nightly-compressed.json');
  writeFileSync(file, JSON.stringify(p));
  const files = { GITHUB_OUTPUT: join(ws, `output-${n}.txt`), GITHUB_STEP_SUMMARY: join(ws, `summary-${n}.md`) };
  const env = {
    ...process.env,
    ...files,
    ACGS_LOAD: `${process.execPath} ${CLI}`,
    NIGHTLY_PROFILE: opts.profileFile ?? file,
    NIGHTLY_FLAGS: '--quiet',
    RESULTS_DIR: join(ws, 'results'),
    ACGS_RESULTS_DIR: join(ws, 'results'),
    DATABASE_URL: db.url,
    ACGS_REDIS_PREFIX: prefix,
    BASE_URL: '',
    BASELINE_MIN: '5',
    BASELINE_KEEP: '5',
    HISTORY_KEEP: '30',
  };
  const status: Record<string, number | null> = {};
  let log = '';
  for (const step of ['baseline', 'run', 'keep', 'compare', 'history']) {
    const res = spawnSync('bash', [STEPS, step], { cwd: ws, env, encoding: 'utf8', timeout: 180_000 });
    status[step] = res.status;
    log += `--- ${step} (exit ${res.status})\n${res.stdout}${res.stderr}`;
    if (step === 'run' && opts.between) opts.between(readOutputs(files.GITHUB_OUTPUT).run_dir);
  }
  return {
    out: readOutputs(files.GITHUB_OUTPUT),
    summary: existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8') : '',
    log,
    status,
  };
}

function readOutputs(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

const kept = (dir: string) => (existsSync(join(ws, dir)) ? readdirSync(join(ws, dir)).sort() : []);
const runIdOf = (n: Night) => n.out.run_dir.split('/').pop()!;

describe('the nightly workflow bootstraps its baseline from complete nights', () => {
  const nights: Night[] = [];
  const tail = (n: Night) => n.log.slice(-4000);

  beforeAll(async () => {
    db = await createTestDatabase('nightly_workflow');
    ws = tempDir('acgs-nightly-');
    await clearPrefix(redis, prefix);
  });
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  it('night 1: bootstrapping; a complete night is kept, whatever its verdict', () => {
    // An average query time of 1 µs is out of reach: exit 4 for certain; every figure is measured as ever.
    const n = night(1, profile({ targets: { avgQueryMs: 0.001 } }));
    nights.push(n);
    expect(n.out, tail(n)).toMatchObject({
      mode: 'bootstrap',
      kept: '0',
      run_code: '4',
      night_kept: 'true',
      code: '0',
    });
    expect(n.status).toMatchObject({ baseline: 0, run: 4, keep: 0, compare: 0, history: 0 });
    expect(kept('baseline-runs')).toEqual([runIdOf(n)]);
    expect(n.summary).toMatch(
      /baseline bootstrapping \(0 of 5 complete nights kept before this one; no comparison yet\)/,
    );
    expect(n.summary).toContain(`# acgs-load run ${runIdOf(n)}`); // the night's report.md follows
    expect(n.summary).toMatch(/target missed: Average query time .* target ≤ 0\.001/);
  }, 240_000);

  it('night 2: a night whose metric stream was lost is not complete and is dropped', () => {
    const n = night(2, profile(), { between: (dir) => rmSync(join(dir, 'k6', 'query-mix.metrics.ndjson')) });
    nights.push(n);
    expect(n.out, tail(n)).toMatchObject({ mode: 'bootstrap', kept: '1', night_kept: 'false' });
    expect(n.log).toMatch(/not kept: \S+ did not complete: scenario query-mix has no metric stream/);
    expect(kept('baseline-runs')).toEqual([runIdOf(nights[0])]);
    expect(kept('history-runs')).toEqual([runIdOf(nights[0])]);
  }, 240_000);

  it('night 3: a run that writes no results (a profile that does not load, exit 2) is dropped', () => {
    const n = night(3, profile(), { profileFile: join(ws, 'no-such-profile.json') });
    nights.push(n);
    expect(n.out, tail(n)).toMatchObject({ mode: 'bootstrap', run_code: '2', run_dir: '', night_kept: 'false' });
    expect(n.log).toContain('not kept: the run wrote no results (exit 2)');
    expect(n.summary).toContain('the run wrote no results (exit 2)');
    expect(kept('baseline-runs')).toHaveLength(1);
  }, 240_000);

  it('nights 4–7: complete nights fill the baseline to BASELINE_MIN (5); the history grows with them', () => {
    for (const i of [4, 5, 6, 7]) {
      const n = night(i, profile());
      nights.push(n);
      expect(n.out, tail(n)).toMatchObject({ mode: 'bootstrap', night_kept: 'true' });
    }
    expect(kept('baseline-runs')).toEqual([0, 3, 4, 5, 6].map((i) => runIdOf(nights[i])).sort());
    expect(existsSync(join(ws, 'baseline.json'))).toBe(false);
    expect(nights[6].summary).toMatch(/### acgs-load history: 5 runs of profile /);
  }, 600_000);

  it('night 8: the baseline is built from the 5 kept nights, the night compared with it (exit 0), and not added', () => {
    const n = night(8, profile());
    nights.push(n);
    expect(n.out, tail(n)).toMatchObject({ mode: 'built', kept: '5', night_kept: 'true' });
    expect(['0', '4']).toContain(n.out.run_code);
    const baseline = JSON.parse(readFileSync(join(ws, 'baseline.json'), 'utf8')) as { runs: Array<{ runId: string }> };
    expect(baseline.runs.map((r) => r.runId).sort()).toEqual(kept('baseline-runs'));
    // The step gives compare's own exit code: the same compare, run here, exits the same.
    const direct = spawnSync(
      process.execPath,
      [CLI, 'compare', n.out.run_dir, '--baseline', join(ws, 'baseline.json')],
      {
        encoding: 'utf8',
        env: { ...process.env, BASE_URL: '' },
      },
    );
    expect(n.out.code).toBe(String(direct.status));
    // A night of the same build compares clean (exit 0), unless requests failed in it that never failed in
    // the baseline's nights (a pool acquisition timed out while other tests loaded this shared machine):
    // then compare rightly calls the success rate worse (exit 7), and that is all it may call.
    const run = JSON.parse(readFileSync(join(n.out.run_dir, 'run.json'), 'utf8')) as {
      figures: Array<{ id: string; value: number | null }>;
    };
    const success = run.figures.find((f) => f.id === 'scenario.query-mix.success')?.value;
    if (success === 1) expect(n.out.code, `${tail(n)}\n${n.summary.slice(0, 3000)}`).toBe('0');
    else expect(['0', '7']).toContain(n.out.code);
    expect(n.summary).toMatch(/baseline of 5 run/);
    expect(kept('baseline-runs')).not.toContain(runIdOf(n)); // the baseline stays the bootstrap's nights
    expect(kept('history-runs')).toContain(runIdOf(n)); // the history takes every complete night
    expect(kept('history-runs')).toHaveLength(6);
    expect(n.summary).toMatch(/### acgs-load history: 6 runs of profile /);
    expect(existsSync(join(ws, 'history.html'))).toBe(true);
  }, 240_000);

  it('night 9: cache entries written without a TTL: the run fails (exit 3), compare calls it a regression (exit 7)', () => {
    // The TTL violations are 0 in every baseline night, so no amount of noise on a busy machine hides them.
    const n = night(9, profile({ defects: { noTtlRate: 1 } }));
    nights.push(n);
    expect(n.out, tail(n)).toMatchObject({ mode: 'built', run_code: '3', night_kept: 'true' });
    expect(n.out.code, n.summary.slice(0, 3000)).toBe('7');
    expect(n.status.compare).toBe(0); // the step records the code; the workflow's last step fails the job on it
    expect(n.summary).toMatch(/^\| \*\*REGRESSION\*\* \| .*TTL violations \| 0 \| [1-9]/m);
    expect(kept('history-runs')).toHaveLength(7); // a failing night that completed is in the history too
  }, 240_000);
});

describe('night-complete.mjs: what a complete night is', () => {
  /** A copy of a real night's results folder, changed by `edit`. */
  function broken(edit: (dir: string, run: Record<string, any>) => void): { status: number | null; out: string } {
    const src = join(ws, 'results');
    const real = readdirSync(src).find(
      (d) => d !== 'latest' && existsSync(join(src, d, 'k6', 'query-mix.metrics.ndjson')),
    )!;
    const dir = join(tempDir('acgs-night-'), real);
    cpSync(join(src, real), dir, { recursive: true });
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    edit(dir, run);
    if (existsSync(join(dir, 'run.json')) && run.schema) writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    const res = spawnSync(process.execPath, [COMPLETE, dir], { encoding: 'utf8' });
    return { status: res.status, out: res.stdout };
  }

  it('a real night is complete; each broken property is named', () => {
    expect(broken(() => {})).toEqual({ status: 0, out: '' });
    const cases: Array<[string, (dir: string, run: Record<string, any>) => void, RegExp]> = [
      ['aborted', (_d, r) => Object.assign(r, { exitCode: 8, verdict: 'ABORTED (exit 8)' }), /^aborted: ABORTED/m],
      [
        'scenario not run',
        (_d, r) => (r.config.load.scenarios = ['query-mix', 'cache-ops']),
        /scenario cache-ops did not run/,
      ],
      ['scenario failed', (_d, r) => (r.scenarios[0].exitCode = 107), /scenario query-mix ended with k6 exit code 107/],
      [
        'summary export gone',
        (d) => rmSync(join(d, 'k6', 'query-mix.summary-export.json')),
        /scenario query-mix has no summary export/,
      ],
      ['stream empty', (d) => writeFileSync(join(d, 'k6', 'query-mix.metrics.ndjson'), ''), /has no metric stream/],
      [
        'run.json damaged',
        (d, r) => (writeFileSync(join(d, 'run.json'), '{"schema'), delete r.schema),
        /does not parse/,
      ],
      ['run.json missing', (d, r) => (rmSync(join(d, 'run.json')), delete r.schema), /run\.json does not exist/],
    ];
    for (const [name, edit, why] of cases) {
      const r = broken(edit);
      expect(r.status, name).toBe(1);
      expect(r.out, name).toMatch(why);
    }
  });
});
