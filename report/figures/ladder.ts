/**
 * "Load ladder": the report's 10/25/50/100 concurrent-user test, and the one
 * reader of its per-step figures (report.md, report.html and the text table of
 * `acgs-load scenario run ladder` all read the steps through `ladderSteps`).
 *
 * Each step is a k6 scenario of its own (`users_<N>`, named and timed by the
 * script; the caller passes the names and the step duration, so this folder
 * does not depend on scenarios/), and its figures are the sub-metrics
 * `http_req_duration{scenario:users_N}` and friends that the ladder's
 * thresholds expose.
 */
import { judge, type Figure } from '../figure.ts';
import { metric, value, type K6SummaryData } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import type { LadderPlan, RunInputs } from './inputs.ts';

/** One step's figures; null where the summary has no value. */
export interface LadderStepFigures {
  step: string;
  users: number;
  successRate: number | null;
  avgMs: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  requests: number | null;
  reqPerSec: number | null;
  dbAvgMs: number | null;
  cacheHitRate: number | null;
}

/** Per-step figures from the ladder scenario's summary. */
export function ladderSteps(summary: K6SummaryData | null, plan: LadderPlan): LadderStepFigures[] {
  return plan.steps.map(({ name: step, users }) => {
    const tag = { scenario: step };
    const dur = metric(summary, 'http_req_duration', tag);
    const failed = value(metric(summary, 'http_req_failed', tag), 'rate');
    const requests = value(metric(summary, 'http_reqs', tag), 'count');
    return {
      step,
      users,
      successRate: failed === null ? null : 1 - failed,
      avgMs: value(dur, 'avg'),
      p95Ms: value(dur, 'p(95)'),
      p99Ms: value(dur, 'p(99)'),
      requests,
      reqPerSec: requests === null ? null : requests / plan.stepSeconds,
      dbAvgMs: value(metric(summary, 'db_query_duration', tag), 'avg'),
      cacheHitRate: value(metric(summary, 'cache_hit', tag), 'rate'),
    };
  });
}

export function ladderFigures(inputs: RunInputs): { figures: Figure[]; table: Table | null } {
  const ladder = inputs.scenarios.find((s) => s.name === 'ladder');
  if (!ladder?.summary || !inputs.ladder) return { figures: [], table: null };
  const stepS = inputs.ladder.stepSeconds;
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  for (const s of ladderSteps(ladder.summary, inputs.ladder)) {
    const src = (m: string) => `k6 ${m}{scenario:${s.step}}, scenario ladder`;
    const id = `ladder.${s.step.replace(/^users_/, '')}`;
    const users = s.users;
    figures.push(
      judge(
        {
          id: `${id}.success`,
          label: `${users} users success rate`,
          value: s.successRate,
          unit: 'ratio',
          source: src('http_req_failed') + ' (1 − rate)',
          side: 'client',
          higherIsBetter: true,
          ...(s.successRate === null
            ? {
                note: `no sample of k6 http_req_failed{scenario:${s.step}}: the step sent no request, or the summary lacks it`,
              }
            : {}),
        },
        { op: '>=', value: inputs.config.targets.successRate },
      ),
      {
        id: `${id}.avg`,
        label: `${users} users avg`,
        value: s.avgMs,
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.p95`,
        label: `${users} users p95`,
        value: s.p95Ms,
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.p99`,
        label: `${users} users p99`,
        value: s.p99Ms,
        unit: 'ms',
        source: src('http_req_duration'),
        side: 'client',
      },
      {
        id: `${id}.rps`,
        label: `${users} users throughput`,
        value: s.reqPerSec,
        unit: 'req/s',
        source: src('http_reqs') + ` count ÷ ${stepS} s step`,
        side: 'client',
        higherIsBetter: true,
      },
      {
        id: `${id}.requests`,
        label: `${users} users requests`,
        value: s.requests,
        unit: 'count',
        source: src('http_reqs'),
        side: 'client',
      },
    );
    rows.push([
      String(users),
      { figure: `${id}.success` },
      { figure: `${id}.avg` },
      { figure: `${id}.p95` },
      { figure: `${id}.p99` },
      { figure: `${id}.rps` },
      { figure: `${id}.requests` },
      { figure: `${id}.success`, show: 'verdict' },
    ]);
  }
  return {
    figures,
    table: {
      title: 'Load ladder',
      intro: `Each step runs its users for ${stepS} s (a k6 scenario per step with its own startTime); request latency is client side (k6 http_req_duration).`,
      columns: ['users', 'success rate', 'avg', 'p95', 'p99', 'throughput', 'requests', 'success ≥ target'],
      rows,
    },
  };
}
