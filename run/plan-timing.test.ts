/**
 * The time shown beside a plan is that plan's own execution: explainAll runs
 * each statement once under EXPLAIN ANALYZE, and its `executionMs` is the
 * "Execution Time" printed in the same plan text. Before, a second EXPLAIN
 * ANALYZE (FORMAT JSON) ran the statement again and its time was shown over
 * the first one's plan. Real PostgreSQL, a database of this file's own.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/helpers/services.ts';
import { executionTimeOf, explainAll } from './plans.ts';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase('plan_timing');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(
    'CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, g::text FROM generate_series(1, 500) g',
  );
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

describe('plan timing', () => {
  it('executionMs is the Execution Time of the plan shown (one execution, not two)', async () => {
    // pg_sleep makes each execution take a distinct time, so two executions cannot agree by chance.
    const [p] = await explainAll(client, [
      {
        queryType: 'simple',
        sql: 'SELECT pg_sleep(0.005), v FROM t WHERE id = $1',
        params: [7],
        requires: { tables: ['t'], reason: 'by primary key' },
      },
    ]);
    expect(p.error).toBeUndefined();
    expect(p.plan).toMatch(/^Execution Time: /m);
    expect(p.executionMs).not.toBeNull();
    expect(p.executionMs).toBe(executionTimeOf(p.plan));
    expect(p.executionMs!).toBeGreaterThanOrEqual(5);
    // The verdict still reads the plan tree.
    expect(p.verdict?.ok).toBe(true);
  });

  it('a statement that failed has no time', async () => {
    const [p] = await explainAll(client, [{ queryType: 'simple', sql: 'SELECT * FROM missing_table', params: [] }]);
    expect(p.executionMs).toBeNull();
    expect(p.error).toMatch(/missing_table/);
  });

  it('executionTimeOf reads the line EXPLAIN ANALYZE prints, else null', () => {
    expect(executionTimeOf('Seq Scan on t\nPlanning Time: 0.1 ms\nExecution Time: 12.345 ms')).toBe(12.345);
    expect(executionTimeOf('Seq Scan on t')).toBeNull();
  });
});
