/**
 * Figures read from server-wide counters (pg_stat_database, pg_stat_user_tables,
 * pg_stat_statements, the target's own histograms) cover every scenario and
 * client of the run: their labels say so, so that they never read as figures
 * of the scenarios a table is judged on. Broken on purpose by the labels
 * before: "PostgreSQL buffer cache hit ratio", "simple mean (pg_stat_statements)".
 */
import { describe, expect, it } from 'vitest';
import { fixtureInputs } from '../../test/helpers/run-inputs.ts';
import { buildFigures } from './index.ts';

describe('server-wide figures are labelled server-wide', () => {
  it('pg_stat_* and the target histogram say database-wide / every scenario, in label and source', () => {
    const { figures, tables } = buildFigures(fixtureInputs());
    const serverWide = figures.filter((f) => /^pg\.|^query\.[a-z_]+\.(pg\.mean|target\.(avg|p95))$/.test(f.id));
    expect(serverWide.length).toBe(5 + 5 * 3);
    for (const f of serverWide) {
      expect(f.label, f.id).toMatch(/database-wide|every scenario/);
      expect(f.source, f.id).toMatch(/database-wide|every scenario/);
    }
    const infra = tables.find((t) => t.title === 'Infrastructure connectivity and PostgreSQL')!;
    expect(infra.intro).toMatch(/database-wide, over every scenario of the run/);
    const q = tables.find((t) => t.title === 'Query performance by type')!;
    expect(q.columns).toContain('mean (pg_stat_statements, database-wide)');
  });
});
