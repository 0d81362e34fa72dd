/**
 * The plan verdict (plan tree → "reads the declared tables through an
 * index?") on real EXPLAIN (FORMAT JSON) outputs: the representative queries
 * on a database seeded at scale 0.05 (seed 42), clean and with both audit_log
 * indexes the index_scan query can use dropped; each with the plan the
 * planner chose (EXPLAIN ANALYZE) and the one it makes with enable_seqscan off.
 * Trimmed to the fields the verdict reads; see test/helpers/plan-fixtures.json.
 */
import { fixtureInputs } from '../test/helpers/run-inputs.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgePlan, type PlanNode } from './plans.ts';
import { PLAN_REQUIREMENTS, withUncapturedPlans } from './representative-queries.ts';
import { planFigures, planHead } from '../report/figures/plans.ts';
import { loadConfig } from '../config/index.ts';
import { buildFigures, junitXml, missedTargetReason, type PlanOutcome, type RunInputs } from '../report/index.ts';

const fixtures = JSON.parse(
  readFileSync(new URL('../test/helpers/plan-fixtures.json', import.meta.url), 'utf8'),
) as Record<string, { plan: PlanNode; forced: PlanNode }>;

const fx = (key: string) => {
  const f = fixtures[key];
  if (!f) throw new Error(`no fixture ${key}`);
  return f;
};

describe('judgePlan on real plans', () => {
  const cases: Array<{
    name: string;
    key: string;
    queryType: string;
    forced: boolean;
    ok: boolean;
    reads?: RegExp;
    missing?: string[];
  }> = [
    {
      name: 'index_scan, clean: Index Scan on audit_log passes',
      key: 'clean/index_scan',
      queryType: 'index_scan',
      forced: false,
      ok: true,
      reads: /^Index Scan using audit_log_time_idx on audit_log$/,
    },
    {
      name: 'index_scan, no audit_log index: Seq Scan on audit_log fails even when forced',
      key: 'no_audit_indexes/index_scan',
      queryType: 'index_scan',
      forced: true,
      ok: false,
      missing: ['Seq Scan on audit_log (no usable index on audit_log)'],
    },
    {
      name: 'index_scan, no audit_log index, no forced plan: fails',
      key: 'no_audit_indexes/index_scan',
      queryType: 'index_scan',
      forced: false,
      ok: false,
      missing: ['Seq Scan on audit_log (no usable index on audit_log)'],
    },
    {
      name: 'simple: Seq Scan of a 1-page table passes when the primary key serves it',
      key: 'clean/simple',
      queryType: 'simple',
      forced: true,
      ok: true,
      reads: /Seq Scan on principles \(chosen on cost; with seq scans off: Index Scan using principles_pkey/,
    },
    {
      name: 'simple: the same Seq Scan without the forced plan fails (no index shown to serve it)',
      key: 'clean/simple',
      queryType: 'simple',
      forced: false,
      ok: false,
      missing: ['Seq Scan on principles (no usable index on principles)'],
    },
    {
      name: 'join: three seq scans, each served by an index when forced (a Bitmap Heap Scan counts)',
      key: 'clean/join',
      queryType: 'join',
      forced: true,
      ok: true,
      reads: /Bitmap Heap Scan using policy_rules_policy_idx on policy_rules/,
    },
    {
      name: 'aggregation (tally): amendments and amendment_votes served by indexes',
      key: 'clean/aggregation',
      queryType: 'aggregation',
      forced: true,
      ok: true,
      reads: /amendment_votes/,
    },
    {
      name: 'complex: policies and compliance_checks served by indexes',
      key: 'clean/complex',
      queryType: 'complex',
      forced: true,
      ok: true,
      reads: /compliance_checks_policy_idx/,
    },
    {
      name: 'a declaration naming a table the plan does not read fails',
      key: 'clean/simple',
      queryType: 'index_scan',
      forced: true,
      ok: false,
      missing: ['audit_log not read by the plan'],
    },
  ];
  it.each(cases)('$name', (c) => {
    const f = fx(c.key);
    const v = judgePlan(f.plan, c.forced ? f.forced : null, PLAN_REQUIREMENTS[c.queryType]!);
    expect(v.ok).toBe(c.ok);
    if (c.missing) expect(v.missing).toEqual(c.missing);
    else expect(v.missing).toEqual([]);
    if (c.reads) expect(v.reads.join('; ')).toMatch(c.reads);
  });

  it('declares no index for the stats aggregate, which reads every principle', () => {
    expect(PLAN_REQUIREMENTS['aggregation (stats by category)']!.tables).toEqual([]);
    for (const t of ['simple', 'join', 'index_scan']) expect(PLAN_REQUIREMENTS[t]!.tables.length).toBeGreaterThan(0);
  });
});

describe('plan figures', () => {
  const config = loadConfig({ profile: 'smoke', env: {} });
  const inputs = (plans: PlanOutcome[]): RunInputs => fixtureInputs({ config, plans });
  const seqPlan = [
    'Limit  (cost=87.64..87.71 rows=30 width=190) (actual time=0.160..0.164 rows=32 loops=1)',
    '  Buffers: shared hit=43',
    '  ->  Sort  (cost=87.64..87.71 rows=30 width=190) (actual time=0.159..0.161 rows=32 loops=1)',
    '        Sort Key: occurred_at, id',
    '        ->  Seq Scan on audit_log  (cost=0.00..86.90 rows=30 width=190) (actual time=0.076..0.151 rows=32 loops=1)',
    '              Filter: (actor_id = 1)',
  ].join('\n');
  const failing: PlanOutcome = {
    queryType: 'index_scan',
    sql: 'SELECT …',
    usesIndex: false,
    executionMs: 0.2,
    plan: seqPlan,
    requires: PLAN_REQUIREMENTS.index_scan,
    verdict: judgePlan(fx('no_audit_indexes/index_scan').plan, fx('no_audit_indexes/index_scan').forced, {
      ...PLAN_REQUIREMENTS.index_scan!,
    }),
  };

  it('shows the plan head without costs', () => {
    expect(planHead(seqPlan)).toBe('Limit → Sort → Seq Scan on audit_log');
  });

  it('a plan that misses its declaration is a failed target naming the query type and the seq scan', () => {
    const { figures, tables } = buildFigures(inputs([failing]));
    const f = figures.find((x) => x.id === 'plan.index_scan.unindexed')!;
    expect(f.pass).toBe(false);
    expect(missedTargetReason(f)).toMatch(/index_scan.*Seq Scan on audit_log/);
    const summary = tables.find((t) => t.title === 'Target achievement summary')!;
    expect(summary.rows.some((r) => typeof r[1] === 'object' && r[1].figure === f.id)).toBe(true);
    const planTable = tables.find((t) => t.title === 'Query plans')!;
    expect(planTable.rows[0]).toContain('Limit → Sort → Seq Scan on audit_log');
    const xml = junitXml('r', figures, []);
    expect(xml).toMatch(
      /<testcase classname="targets" name="Plan of index_scan[^"]*" time="[^"]*">\s*<failure message="[^"]*Seq Scan on audit_log/,
    );
  });

  it('no plan captured (EXPLAIN failed, stage skipped) is NO DATA, not a pass', () => {
    const failed: PlanOutcome = { ...failing, plan: 'EXPLAIN failed: boom', verdict: null, error: 'boom' };
    const all = withUncapturedPlans([failed], 'not captured');
    const { figures } = planFigures(inputs(all));
    // every declared query type with tables is judged; the stats aggregate is not
    expect(figures.map((f) => f.id).sort()).toEqual([
      'plan.aggregation.unindexed',
      'plan.complex.unindexed',
      'plan.index_scan.unindexed',
      'plan.join.unindexed',
      'plan.simple.unindexed',
    ]);
    for (const f of figures) expect(f.pass).toBeNull();
    expect(figures.find((f) => f.id === 'plan.index_scan.unindexed')!.note).toBe('boom');
  });
});
