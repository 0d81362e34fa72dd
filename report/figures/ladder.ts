/**
 * "Load ladder": the report's 10/25/50/100 concurrent-user test, and the one
 * reader of its per-step figures (report.md, report.html and the text table of
 * `acgs-load scenario run ladder` all read the steps through `ladderSteps`).
 *
 * Each step is a k6 scenario of its own (`users_<N>`, named and timed by the
 * script; the caller passes the names and the step duration, so this folder
 * does not depend on scenarios/), and its figures are the sub-metrics
 * `http_req_duration{scenario:users_N}` and friends that the ladder's
 * thresholds expose. A step's throughput is measured: its requests over the
 * time they were sent in, from the ladder's k6 stream (the first and the last
 * request tagged with the step; n requests span n − 1 intervals, so
 * (n − 1) ÷ (last − first)). The configured step length is a plan, not a
 * measurement: a step whose VUs started late or stopped early sent its
 * requests in less time. Without a stream (`acgs-load scenario run ladder`'s
 * table) the throughput divides by the configured step and says so.
 */
import type { RequestWindow } from '../ndjson/judged-samples.ts';
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
  /** Seconds reqPerSec divides by: the measured window of the step's requests, or the configured step. */
  windowS: number | null;
  /** Whether windowS was measured from the stream or is the configured step length. */
  windowFrom: 'stream' | 'configured';
  dbAvgMs: number | null;
  cacheHitRate: number | null;
}

/** Requests per second from a measured window: (n − 1) intervals between n requests; null below 2 requests. */
function measuredRate(w: RequestWindow | undefined): { rate: number | null; seconds: number | null } {
  if (!w || w.requests < 2 || w.last <= w.first) return { rate: null, seconds: w ? (w.last - w.first) / 1000 : null };
  const seconds = (w.last - w.first) / 1000;
  return { rate: (w.requests - 1) / seconds, seconds };
}

/**
 * Per-step figures from the ladder scenario's summary. `windows` (by step
 * name, from the ladder's k6 stream) gives each step's measured throughput;
 * without it the throughput divides by the configured step length.
 */
export function ladderSteps(
  summary: K6SummaryData | null,
  plan: LadderPlan,
  windows?: Readonly<Record<string, RequestWindow>>,
): LadderStepFigures[] {
  return plan.steps.map(({ name: step, users }) => {
    const tag = { scenario: step };
    const dur = metric(summary, 'http_req_duration', tag);
    const failed = value(metric(summary, 'http_req_failed', tag), 'rate');
    const requests = value(metric(summary, 'http_reqs', tag), 'count');
    const measured = windows ? measuredRate(windows[step]) : null;
    return {
      step,
      users,
      successRate: failed === null ? null : 1 - failed,
      avgMs: value(dur, 'avg'),
      p95Ms: value(dur, 'p(95)'),
      p99Ms: value(dur, 'p(99)'),
      requests,
      reqPerSec: measured ? measured.rate : requests === null ? null : requests / plan.stepSeconds,
      windowS: measured ? measured.seconds : plan.stepSeconds,
      windowFrom: measured ? 'stream' : 'configured',
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
  // The measured window of each step comes from the ladder's stream; a run known only by its
  // summaries has none, and then the throughput is not measured (NO value, not the plan's).
  const samples = inputs.samples?.ladder;
  const windows = samples && samples.files.length > 0 ? samples.windows : {};
  for (const s of ladderSteps(ladder.summary, inputs.ladder, windows)) {
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
        source:
          s.reqPerSec === null
            ? `k6 http_reqs Points tagged scenario ${s.step} (ladder stream): fewer than 2 requests, or no stream`
            : `k6 http_reqs Points tagged scenario ${s.step} (ladder stream): (requests − 1) ÷ ${s.windowS!.toFixed(2)} s from the first to the last (step planned at ${stepS} s)`,
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
      intro: `Each step runs its users for ${stepS} s (a k6 scenario per step with its own startTime); request latency is client side (k6 http_req_duration); throughput is the step's requests over the time from its first request to its last in the ladder's k6 stream, not over the planned ${stepS} s.`,
      columns: ['users', 'success rate', 'avg', 'p95', 'p99', 'throughput', 'requests', 'success ≥ target'],
      rows,
    },
  };
}
