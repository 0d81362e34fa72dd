/**
 * EXPLAIN (ANALYZE, BUFFERS) of each query type's representative query, and
 * whether PostgreSQL used an index for it. Runs inside a transaction that is
 * rolled back, so even a plan of a write would leave nothing behind.
 */
import type pg from 'pg';

export interface RepresentativeQuery {
  queryType: string;
  sql: string;
  params: unknown[];
}

export interface PlanResult {
  queryType: string;
  sql: string;
  usesIndex: boolean;
  executionMs: number | null;
  plan: string;
}

interface PlanNode {
  'Node Type': string;
  Plans?: PlanNode[];
}

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/** Whether any node of a JSON plan reads an index. */
export function planUsesIndex(node: PlanNode): boolean {
  return INDEX_NODES.has(node['Node Type']) || (node.Plans ?? []).some(planUsesIndex);
}

export async function explainAll(client: pg.ClientBase, queries: RepresentativeQuery[]): Promise<PlanResult[]> {
  const out: PlanResult[] = [];
  for (const q of queries) {
    await client.query('BEGIN');
    try {
      const json = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.sql}`, q.params);
      const text = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${q.sql}`, q.params);
      const doc = json.rows[0]['QUERY PLAN'][0] as { Plan: PlanNode; 'Execution Time'?: number };
      out.push({
        queryType: q.queryType,
        sql: q.sql.replace(/\s+/g, ' ').trim(),
        usesIndex: planUsesIndex(doc.Plan),
        executionMs: doc['Execution Time'] ?? null,
        plan: text.rows.map((r) => r['QUERY PLAN']).join('\n'),
      });
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return out;
}
