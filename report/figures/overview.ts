/**
 * Per-scenario outcome, infrastructure connectivity, server-side PostgreSQL
 * figures and the consistency checkers' table.
 */
import { judge, type Figure } from '../figure.ts';
import { metric, thresholds, value, type K6Metric, type SummaryThreshold } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import type { CheckerOutcome, RunInputs } from './inputs.ts';

export function scenarioFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  for (const s of inputs.scenarios) {
    const failedMetric = metric(s.summary, 'http_req_failed');
    const failed = value(failedMetric, 'rate');
    const reqs = value(metric(s.summary, 'http_reqs'), 'count');
    const dur = metric(s.summary, 'http_req_duration');
    const ths = thresholds(s.summary);
    const id = `scenario.${s.name}`;
    const src = (m: string) => `k6 ${m}, scenario ${s.name} (${s.engine} engine)`;
    figures.push(
      judge(
        {
          id: `${id}.success`,
          label: `${s.name} success rate`,
          value: failed === null ? null : 1 - failed,
          unit: 'ratio',
          source: src('http_req_failed') + ' (1 − rate)',
          side: 'client',
          higherIsBetter: true,
          ...(failed === null ? { note: noRequests(failedMetric) } : {}),
        },
        { op: '>=', value: inputs.config.targets.successRate },
      ),
      {
        id: `${id}.requests`,
        label: `${s.name} requests`,
        value: reqs,
        unit: 'count',
        source: src('http_reqs'),
        side: 'client',
      },
      {
        id: `${id}.rps`,
        label: `${s.name} throughput`,
        value: value(metric(s.summary, 'http_reqs'), 'rate'),
        unit: 'req/s',
        source: src('http_reqs rate'),
        side: 'client',
        higherIsBetter: true,
      },
      {
        id: `${id}.avg`,
        label: `${s.name} avg`,
        value: value(dur, 'avg'),
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.p95`,
        label: `${s.name} p95`,
        value: value(dur, 'p(95)'),
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.p99`,
        label: `${s.name} p99`,
        value: value(dur, 'p(99)'),
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.checks`,
        label: `${s.name} checks passed`,
        value: value(metric(s.summary, 'checks'), 'rate'),
        unit: 'ratio',
        source: src('checks'),
        side: 'client',
        higherIsBetter: true,
      },
      {
        id: `${id}.thresholdsFailed`,
        label: `${s.name} thresholds crossed`,
        value: ths.filter((t) => !t.ok).length,
        unit: 'count',
        source: 'k6 thresholds',
        side: 'client',
      },
    );
    rows.push([
      s.name,
      { figure: `${id}.requests` },
      { figure: `${id}.rps` },
      { figure: `${id}.success` },
      { figure: `${id}.avg` },
      { figure: `${id}.p95` },
      { figure: `${id}.p99` },
      { figure: `${id}.checks` },
      thresholdCount(ths),
      `${s.exitCode}${s.engineLimited ? ' (engine-limited)' : ''}`,
    ]);
  }
  return {
    figures,
    table: {
      title: 'Scenarios',
      intro:
        'Client-side figures per scenario (k6 summary). Thresholds: passed/defined, not counting those that cannot fail (such as `max>=0`, set only so that k6 lists a sub-metric), shown apart; exit code as k6 gives it (99 = thresholds crossed).',
      columns: [
        'scenario',
        'requests',
        'throughput',
        'success rate',
        'avg',
        'p95',
        'p99',
        'checks',
        'thresholds',
        'exit',
      ],
      rows,
    },
  };
}

/** Why a success rate has no value: the summary lacks the metric, or it has no sample. */
export function noRequests(failed: K6Metric | undefined): string {
  return failed === undefined
    ? 'the k6 summary has no http_req_failed'
    : 'k6 http_req_failed has 0 samples: no request was sent';
}

/**
 * "passed/defined" of the thresholds that can fail; those that cannot (always
 * true, see k6-summary `cannotFail`) are shown apart and never as passes. One
 * of them that failed all the same counts as defined and not passed.
 */
export function thresholdCount(ths: SummaryThreshold[]): string {
  const real = ths.filter((t) => !t.cannotFail || !t.ok);
  const apart = ths.length - real.length;
  return `${real.filter((t) => t.ok).length}/${real.length}${apart ? ` (+${apart} that cannot fail)` : ''}`;
}

export function infraFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const i = inputs.infra;
  const pg = inputs.pg;
  const figures: Figure[] = [
    {
      id: 'infra.pg.rtt',
      label: `PostgreSQL ${i.pgVersion} round trip (SELECT 1)`,
      value: i.pgRttMs,
      unit: 'ms',
      source: 'suite client, median of 20 SELECT 1 (preflight)',
      environment: true,
      side: 'client',
    },
    {
      id: 'infra.redis.rtt',
      label: `Redis ${i.redisVersion} round trip (PING)`,
      value: i.redisRttMs,
      unit: 'ms',
      source: 'suite client, median of 20 PING (preflight)',
      environment: true,
      side: 'client',
    },
    {
      id: 'infra.target.health',
      label: `Target /healthz (${i.targetUrl})`,
      value: i.targetHealthMs,
      unit: 'ms',
      source: 'suite client, GET /healthz',
      environment: true,
      side: 'client',
    },
    {
      id: 'pg.bufferHitRatio',
      label: 'PostgreSQL buffer cache hit ratio (database-wide)',
      value: pg?.bufferHitRatio ?? null,
      unit: 'ratio',
      source:
        'pg_stat_database blks_hit/(blks_hit+blks_read), run delta; database-wide: every scenario and client of this database',
      side: 'server',
      higherIsBetter: true,
    },
    {
      id: 'pg.indexScanRatio',
      label: 'Index scans ÷ all scans (database-wide)',
      value: pg?.indexScanRatio ?? null,
      unit: 'ratio',
      source:
        'pg_stat_user_tables idx_scan/(idx_scan+seq_scan), run delta; database-wide: every scenario and client of this database',
      side: 'server',
      higherIsBetter: true,
    },
    {
      id: 'pg.commits',
      label: 'Transactions committed (database-wide)',
      value: pg?.commits ?? null,
      unit: 'count',
      source: 'pg_stat_database xact_commit, run delta; database-wide: every scenario and client of this database',
      side: 'server',
    },
    {
      id: 'pg.rollbacks',
      label: 'Transactions rolled back (database-wide)',
      value: pg?.rollbacks ?? null,
      unit: 'count',
      source: 'pg_stat_database xact_rollback, run delta; database-wide: every scenario and client of this database',
      side: 'server',
    },
    {
      id: 'pg.deadlocks',
      label: 'Deadlocks (database-wide)',
      value: pg?.deadlocks ?? null,
      unit: 'count',
      source: 'pg_stat_database deadlocks, run delta; database-wide: every scenario and client of this database',
      side: 'server',
    },
  ];
  return {
    figures,
    table: {
      title: 'Infrastructure connectivity and PostgreSQL',
      intro:
        "The PostgreSQL figures are the run's deltas of the database's own statistics: database-wide, over every scenario of the run and every other client of this database in the same window, not per scenario.",
      columns: ['figure', 'value', 'source'],
      rows: figures.map((f) => [f.label, { figure: f.id }, { figure: f.id, show: 'source' }]),
    },
  };
}

/**
 * Why a checker's result is no measurement, or undefined: its own `noData`,
 * or 0 items checked (a run.json written before checkers said so themselves).
 */
export function checkerNoData(c: CheckerOutcome): string | undefined {
  return c.noData ?? (c.checked === 0 ? '0 items checked' : undefined);
}

export function consistencyFigures(inputs: RunInputs): { figures: Figure[]; table: Table } {
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  for (const c of inputs.checks?.checkers ?? []) {
    const violations = Object.values(c.violations).reduce((a, b) => a + b, 0);
    // A checker that could not vouch for its result (checked nothing, an input
    // missing) is NO DATA, unless it found violations all the same.
    const why = checkerNoData(c);
    const noData = violations === 0 ? why : undefined;
    const id = `consistency.${c.name}`;
    const src = `checker ${c.name} (direct PostgreSQL/Redis reads)`;
    figures.push(
      {
        id: `${id}.checked`,
        label: `${c.name} items checked`,
        value: c.checked,
        unit: 'count',
        source: src,
        side: 'server',
      },
      judge(
        {
          id: `${id}.violations`,
          label: `${c.name} violations`,
          value: noData ? null : violations,
          unit: 'count',
          source: src,
          side: 'server',
          ...(why ? { note: why } : {}),
        },
        { op: '==', value: 0 },
      ),
      {
        id: `${id}.score`,
        label: `${c.name} score`,
        value: why ? null : (c.score ?? null),
        unit: 'ratio',
        source: src,
        side: 'server',
        higherIsBetter: true,
        ...(why ? { note: why } : {}),
      },
      {
        id: `${id}.ms`,
        label: `${c.name} duration`,
        value: c.durationMs,
        unit: 'ms',
        source: 'suite clock',
        side: 'client',
      },
    );
    const kinds = Object.entries(c.violations)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
    rows.push([
      c.name,
      { figure: `${id}.checked` },
      { figure: `${id}.violations` },
      { figure: `${id}.score` },
      kinds || '—',
      { figure: `${id}.ms` },
      { figure: `${id}.violations`, show: 'verdict' },
    ]);
  }
  return {
    figures,
    table: {
      title: 'Data consistency validation',
      intro: inputs.checks
        ? 'Independent checkers read PostgreSQL and Redis directly after the run (after the quiesce and grace period).'
        : 'The checkers did not run.',
      columns: ['checker', 'checked', 'violations', 'score', 'violations by kind', 'duration', 'verdict'],
      rows,
    },
  };
}
