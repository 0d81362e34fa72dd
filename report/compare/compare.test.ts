/**
 * compareRuns on runs measured from their own synthetic k6 streams through
 * the real figure builders (test/helpers/ndjson-fixtures.ts): a baseline of
 * five runs, a slowed run, a run with one more scenario, one run against
 * another, and the baseline file's schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { ladderSteps, writeFixtureRun, type FixtureScenario } from '../../test/helpers/ndjson-fixtures.ts';
import type { RunJson } from '../run-json.ts';
import {
  buildBaseline,
  compareRuns,
  comparisonMarkdown,
  comparisonTable,
  parseBaseline,
  scopeOf,
  type Baseline,
  type Comparison,
} from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-compare-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const T0 = Date.parse('2026-11-27T21:00:00Z');

/** The smoke profile's configuration with targets.judgedOn named (or left to the default: every scenario but smoke). */
function config(judgedOn: string[] | null): Readonly<Config> {
  // smoke's default targets, judging percentiles as the long profiles do (the shipped smoke shows them only)
  const c = structuredClone(
    loadConfig({ profile: 'smoke', env: {}, flags: { targets: { percentiles: true } } }),
  ) as Config;
  c.targets.judgedOn = judgedOn ? ({ queryTypes: judgedOn, cache: judgedOn } as Config['targets']['judgedOn']) : {};
  return c;
}

interface RunOpts {
  dbFactor?: number;
  slow?: Record<string, number>;
  extra?: boolean;
  judgedOn?: string[] | null;
}

/** A run of ladder and query-mix (and cache-ops when `extra`), measured from its own stream. */
async function fixtureRun(seed: number, o: RunOpts = {}): Promise<RunJson> {
  const { dbFactor = 1, slow: dbFactorByType } = o;
  const name = `run-${seed}-${dbFactor}-${Object.keys(dbFactorByType ?? {}).join('-')}-${o.extra ? 'x' : ''}-${o.judgedOn === null ? 'd' : ''}`;
  const scenarios: FixtureScenario[] = [
    { name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4), dbFactor, dbFactorByType } },
    {
      name: 'query-mix',
      spec: {
        startMs: T0 + 21_000,
        seed: seed + 1000,
        steps: [{ tag: 'query-mix', startS: 0, durationS: 30, rps: 60, medianMs: 4 }],
        dbFactor,
        dbFactorByType,
      },
    },
  ];
  if (o.extra)
    scenarios.push({
      name: 'cache-ops',
      spec: {
        startMs: T0 + 52_000,
        seed: seed + 2000,
        steps: [{ tag: 'cache-ops', startS: 0, durationS: 20, rps: 40, medianMs: 9 }],
        dbFactor: 3,
      },
    });
  return writeFixtureRun(join(tmp, name), scenarios, {
    runId: `run-${seed}${dbFactor === 1 && !dbFactorByType ? '' : '-slow'}`,
    config: config(o.judgedOn === undefined ? ['ladder', 'query-mix'] : o.judgedOn),
  });
}

const ids = (c: Comparison, verdict: string) =>
  c.rows
    .filter((r) => r.verdict === verdict)
    .map((r) => r.id)
    .sort();
const copy = (r: RunJson): RunJson => structuredClone(r);
const setValue = (r: RunJson, id: string, f: (v: number) => number) => {
  const fig = r.figures.find((x) => x.id === id)!;
  fig.value = f(fig.value!);
};

let runs: RunJson[];
let baseline: Baseline;
beforeAll(async () => {
  runs = [];
  for (const seed of [1, 2, 3, 5, 6]) runs.push(await fixtureRun(seed));
  baseline = buildBaseline(runs);
});

describe('compareRuns against a baseline of five runs', () => {
  it('calls nothing in another run of the same build a regression, and one slowed query type exactly', async () => {
    const same = compareRuns(await fixtureRun(4), baseline, { tolerance: 0.1 });
    expect(ids(same, 'regression')).toEqual([]);
    const slow = compareRuns(await fixtureRun(8, { slow: { join: 1.5 } }), baseline, { tolerance: 0.1 });
    const regressed = ids(slow, 'regression');
    expect(regressed).toContain('query.join.p50');
    expect(regressed).toContain('query.join.avg');
    for (const id of regressed) expect(id).toMatch(/^query\.(scenario\.[^.]+\.)?join\./);
    const row = slow.rows.find((r) => r.id === 'query.join.p50')!;
    expect(row.test).toMatchObject({ scale: 'log', n: { reference: 5, current: 1 }, family: slow.family });
    expect(row.test!.pAdjusted!).toBeLessThan(0.01);
    expect(comparisonTable(slow)).toMatch(/REGRESSION\s+join query p50 .*band .* \(5 runs, p×\d+ /);
    expect(comparisonMarkdown(slow)).toMatch(/\| \*\*REGRESSION\*\* \| join query p50 \|/);
  });

  it('judges every figure only on its judged-on scenarios: one more scenario moves no other figure', async () => {
    const plain = compareRuns(await fixtureRun(4), baseline, { tolerance: 0.1 });
    const more = compareRuns(await fixtureRun(4, { extra: true }), baseline, { tolerance: 0.1 });
    const byId = new Map(plain.rows.map((r) => [r.id, r]));
    let same = 0;
    for (const r of more.rows) {
      const before = byId.get(r.id);
      if (r.judgedOn.current.includes('cache-ops')) {
        // the new scenario's own figures are new; run-wide ones changed scope and are not judged
        expect(r.verdict, r.id).toBe(r.id.includes('cache-ops') ? 'new' : 'incomparable');
        continue;
      }
      expect(r, r.id).toEqual(before);
      same++;
    }
    expect(same).toBeGreaterThan(100);
    for (const id of ['query.join.p95', 'query.all.avg', 'cache.get.avg', 'ladder.100.p99', 'scenario.query-mix.p95'])
      expect(more.rows.find((r) => r.id === id)!.judgedOn.current).not.toContain('cache-ops');
    expect(more.warnings.join('\n')).toMatch(/measured on other scenarios than in the reference/);
  });

  it('broken on purpose: with the default judged-on set, the new scenario feeds the query figures, and they are not judged', async () => {
    // Without targets.judgedOn every scenario but smoke is judged: cache-ops (3× slower queries) joins the merge.
    const defaults = buildBaseline(await Promise.all([1, 2, 3].map((s) => fixtureRun(s, { judgedOn: null }))));
    const more = await fixtureRun(4, { extra: true, judgedOn: null });
    const plain = await fixtureRun(4, { judgedOn: null });
    const v = (r: RunJson) => r.figures.find((f) => f.id === 'query.join.p95')!.value!;
    expect(v(more)).not.toBeCloseTo(v(plain), 3); // the figure's samples moved ...
    const row = compareRuns(more, defaults, { tolerance: 0.1 }).rows.find((r) => r.id === 'query.join.p95')!;
    expect(row.verdict).toBe('incomparable'); // ... so it is not judged against runs without them
    expect(row.why).toBe(
      'measured on scenarios cache-ops, ladder, query-mix here, on ladder, query-mix in the reference: not the same samples, not judged',
    );
  });

  it("reports a preflight round trip far outside the baseline's spread as changed, not a regression: it is the machine's", () => {
    const busy = copy(runs[0]);
    setValue(busy, 'infra.redis.rtt', (v) => v * 30);
    const row = compareRuns(busy, baseline, { tolerance: 0.1 }).rows.find((r) => r.id === 'infra.redis.rtt')!;
    expect(row.direction).toBe('none');
    expect(row.verdict, row.why).toBe('changed');
    expect(baseline.figures['infra.redis.rtt'].environment).toBe(true);
    // broken on purpose: without the mark the same change is a latency regression
    const unmark = <T extends { environment?: boolean }>(f: T): T => ({ ...f, environment: undefined });
    const plainRun = { ...busy, figures: busy.figures.map((f) => (f.id === 'infra.redis.rtt' ? unmark(f) : f)) };
    const plain = {
      ...baseline,
      figures: { ...baseline.figures, 'infra.redis.rtt': unmark(baseline.figures['infra.redis.rtt']) },
    };
    const broken = compareRuns(plainRun, plain, { tolerance: 0.1 }).rows.find((r) => r.id === 'infra.redis.rtt')!;
    expect(broken.verdict, broken.why).toBe('regression');
  });

  it('reports figures only one side has as new or missing', () => {
    const b = copy(runs[0]);
    const gone = b.figures.pop()!;
    b.figures.push({ id: 'extra.figure', label: 'extra', value: 1, unit: 'count', source: 'test', side: 'client' });
    const c = compareRuns(b, baseline, { tolerance: 0.1 });
    expect(c.rows.find((r) => r.id === 'extra.figure')!.verdict).toBe('new');
    expect(c.rows.find((r) => r.id === gone.id)!.verdict).toBe('missing');
    expect(c.regressed).toBe(false);
  });
});

describe('one run against one run', () => {
  it('says it cannot tell noise from change, reports effects only, and exits clean unless ×10 on a figure with a target', () => {
    const c = compareRuns(runs[1], runs[0], { tolerance: 0.1 });
    expect(c.regressed).toBe(false);
    expect(c.family).toBe(0);
    expect(c.methods.join('\n')).toContain('one run against one run cannot tell noise from change');
    for (const r of c.rows.filter((x) => x.verdict === 'unverified'))
      expect(r.why).toContain('cannot tell noise from change');
    const worse = copy(runs[1]);
    setValue(worse, 'query.join.p95', (v) => v * 3);
    expect(compareRuns(worse, runs[0], { tolerance: 0.1 }).rows.find((r) => r.id === 'query.join.p95')!.verdict).toBe(
      'unverified',
    );
    setValue(worse, 'query.join.p95', (v) => v * 5); // ×15 in all
    const big = compareRuns(worse, runs[0], { tolerance: 0.1 });
    expect(ids(big, 'regression')).toEqual(['query.join.p95']);
    expect(compareRuns(worse, runs[0], { tolerance: 0.1, failFactor: 20 }).regressed).toBe(false);
  });
});

describe('the baseline file', () => {
  it('keeps each run value and the scenarios of each figure (schema 2)', () => {
    const f = baseline.figures['query.join.p95'];
    expect(f.values).toEqual(runs.map((r) => r.figures.find((x) => x.id === 'query.join.p95')!.value));
    expect(f.judgedOn).toEqual(['ladder', 'query-mix']);
    expect(baseline.figures['scenario.ladder.p95'].judgedOn).toEqual(['ladder']);
    expect(baseline.schema).toBe('acgs-load/baseline@2');
  });
  it('reads a schema-1 file (no scenarios recorded) and says the scenarios were not checked', () => {
    const old = JSON.parse(JSON.stringify(baseline)) as Record<string, unknown> & {
      figures: Record<string, Record<string, unknown>>;
    };
    old.schema = 'acgs-load/baseline@1';
    for (const f of Object.values(old.figures)) delete f.judgedOn;
    const b = parseBaseline(JSON.stringify(old), 'old.json');
    expect(b.figures['query.join.p95'].judgedOn).toBeNull();
    expect(compareRuns(runs[0], b, { tolerance: 0.1 }).methods.join('\n')).toContain('schema 1');
    expect(() => parseBaseline('{"schema":"acgs-load/baseline@9"}', 'x.json')).toThrow(
      /expected 'acgs-load\/baseline@2'/,
    );
  });
  it('refuses runs that measured a figure on different scenarios', async () => {
    const other = await fixtureRun(7, { extra: true });
    expect(() => buildBaseline([runs[0], runs[1], other])).toThrow(
      /figure .* was measured on scenarios .* in run .* but on .* in run run-7/,
    );
  });
});

describe('scopeOf: the scenarios a figure is measured on', () => {
  const run = {
    scenarios: ['smoke', 'user-journey', 'query-mix', 'ladder'].map((name) => ({ name })),
    config: { targets: { judgedOn: { cache: ['user-journey', 'ladder'] } } },
  } as unknown as RunJson;
  const cases: Array<[string, string[]]> = [
    // targets.judgedOn.queryTypes unset: every scenario but smoke
    ['query.join.p95', ['ladder', 'query-mix', 'user-journey']],
    ['query.all.avg', ['ladder', 'query-mix', 'user-journey']],
    ['cache.get.avg', ['ladder', 'user-journey']],
    ['cache.hitRate', ['ladder', 'user-journey']],
    ['cache.miss.expired', ['ladder', 'user-journey']],
    ['query.scenario.query-mix.join.p95', ['query-mix']],
    ['scenario.user-journey.p99', ['user-journey']],
    ['ladder.100.success', ['ladder']],
    // server-side: every scenario of the run
    ['query.join.target.p95', ['ladder', 'query-mix', 'smoke', 'user-journey']],
    ['pg.deadlocks', ['ladder', 'query-mix', 'smoke', 'user-journey']],
  ];
  for (const [id, scope] of cases) it(id, () => expect(scopeOf(id, run)).toEqual(scope));
});
