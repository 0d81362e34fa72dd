import { describe, expect, it } from 'vitest';
import { judge, type Figure } from './figures.ts';
import { junitXml } from './junit.ts';
import { markdownReport } from './markdown.ts';

const fig = (id: string, value: number | null, op: '<=' | '>=', target: number): Figure =>
  judge({ id, label: id, value, unit: 'ms', source: 'test source', side: 'client' }, { op, value: target });

describe('report writers', () => {
  it('judges figures against targets, with NO DATA when nothing was measured', () => {
    expect(fig('a', 10, '<=', 200).pass).toBe(true);
    expect(fig('a', 250, '<=', 200).pass).toBe(false);
    expect(fig('a', null, '<=', 200).pass).toBeNull();
  });

  it('writes a failing JUnit case for a missed target and a checker with violations', () => {
    const xml = junitXml('r1', [fig('avg', 250, '<=', 200), fig('p95', 20, '<=', 100)], [
      { name: 'cache-db-sync', checked: 10, violations: { stale: 2, orphan: 0 }, durationMs: 5 },
      { name: 'data-types', checked: 10, violations: {}, durationMs: 5 },
    ]);
    expect(xml).toContain('tests="4" failures="2"');
    expect(xml).toContain('measured 250.0 ms (test source, client side), target ≤ 200.0 ms');
    expect(xml).toContain('2 stale of 10 checked');
    expect(xml.match(/<failure /g)).toHaveLength(2);
  });

  it('renders tables only from figures, by id', () => {
    const figures = [fig('q.avg', 12.5, '<=', 200)];
    const md = markdownReport(
      { runId: 'r1', profile: 'smoke', startedAt: 'now', durationS: 1, engine: 'embedded', exitCode: 0, verdict: 'PASS', environment: [] },
      figures,
      [{ title: 'Query', columns: ['value', 'target', 'verdict', 'source'], rows: [[{ figure: 'q.avg' }, { figure: 'q.avg', show: 'target' }, { figure: 'q.avg', show: 'verdict' }, { figure: 'q.avg', show: 'source' }]] }],
    );
    expect(md).toContain('| 12.50 ms | ≤ 200.0 ms | PASS | test source |');
  });
});
