/**
 * "Load ladder": the report's 10/25/50/100 concurrent-user test. Each step is a
 * k6 scenario of its own (`users_<N>`, named and timed by the script; the
 * pipeline passes the names), so its figures are k6 sub-metrics selected by
 * the `scenario` tag.
 */
import { judge, type Figure } from '../figures.ts';
import { metric, value } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import type { RunInputs } from './inputs.ts';
// The script's own naming and timing of the steps (pure, no k6 imports), so the
// report reads back exactly the sub-metrics scenarios/ladder.ts created.
import { stepNames, stepSeconds } from '../../scenarios/lib/ladder-steps.ts';

export function ladderFigures(inputs: RunInputs): { figures: Figure[]; table: Table | null } {
  const ladder = inputs.scenarios.find((s) => s.name === 'ladder');
  if (!ladder?.summary) return { figures: [], table: null };
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  const { users: ladderUsers, stepSeconds: configured } = inputs.config.load.ladder;
  const stepS = stepSeconds(configured, inputs.config.load.durationFactor);
  const names = stepNames(ladderUsers);
  for (const [i, step] of names.entries()) {
    const users = ladderUsers[i];
    const tag = { scenario: step };
    const dur = metric(ladder.summary, 'http_req_duration', tag);
    const failed = metric(ladder.summary, 'http_req_failed', tag);
    const reqs = metric(ladder.summary, 'http_reqs', tag);
    const src = (m: string) => `k6 ${m}{scenario:${step}}, scenario ladder`;
    const failRate = value(failed, 'rate');
    const count = value(reqs, 'count');
    const id = `ladder.${step.replace(/^users_/, '')}`;
    figures.push(
      judge(
        { id: `${id}.success`, label: `${users} users success rate`, value: failRate === null ? null : 1 - failRate, unit: 'ratio', source: src('http_req_failed') + ' (1 − rate)', side: 'client', higherIsBetter: true },
        { op: '>=', value: inputs.config.targets.successRate },
      ),
      { id: `${id}.avg`, label: `${users} users avg`, value: value(dur, 'avg'), unit: 'ms', source: src('http_req_duration'), side: 'client' },
      { id: `${id}.p95`, label: `${users} users p95`, value: value(dur, 'p(95)'), unit: 'ms', source: src('http_req_duration'), side: 'client' },
      { id: `${id}.p99`, label: `${users} users p99`, value: value(dur, 'p(99)'), unit: 'ms', source: src('http_req_duration'), side: 'client' },
      { id: `${id}.rps`, label: `${users} users throughput`, value: count === null ? null : count / stepS, unit: 'req/s', source: src('http_reqs') + ` count ÷ ${stepS} s step`, side: 'client', higherIsBetter: true },
      { id: `${id}.requests`, label: `${users} users requests`, value: count, unit: 'count', source: src('http_reqs'), side: 'client' },
    );
    rows.push([String(users), { figure: `${id}.success` }, { figure: `${id}.avg` }, { figure: `${id}.p95` }, { figure: `${id}.p99` }, { figure: `${id}.rps` }, { figure: `${id}.requests` }, { figure: `${id}.success`, show: 'verdict' }]);
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
