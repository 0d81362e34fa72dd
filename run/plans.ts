/**
 * EXPLAIN (ANALYZE, BUFFERS) of each query type's representative query, and
 * whether its plan meets what the query type declares it must use (an index
 * on named tables: `requires` in run/representative-queries.ts). Runs inside
 * a transaction that is rolled back, so even a plan of a write would leave
 * nothing behind.
 */
import type pg from 'pg';

export interface RepresentativeQuery {
  queryType: string;
  sql: string;
  params: unknown[];
  /**
   * Tables the plan must read through an index (Index Scan, Index Only Scan,
   * Bitmap Heap Scan); empty when the query type needs no index. Absent: not
   * judged (e.g. ad-hoc queries in tests).
   */
  requires?: PlanRequirement;
}

export interface PlanRequirement {
  tables: string[];
  /** Why: what the SQL does on a seeded database. Printed beside the verdict. */
  reason: string;
}

/** Whether a plan met its query type's requirement; see `judgePlan`. */
export interface PlanVerdict {
  ok: boolean;
  /** How the plan read each required table, e.g. "Index Scan using audit_log_time_idx on audit_log". */
  reads: string[];
  /** What the plan used instead of an index, e.g. "Seq Scan on audit_log (no usable index)"; empty when ok. */
  missing: string[];
}

export interface PlanResult {
  queryType: string;
  sql: string;
  usesIndex: boolean;
  executionMs: number | null;
  plan: string;
  /** The query type's declaration; absent when it declares none. */
  requires?: PlanRequirement;
  /** null when no plan was captured (EXPLAIN failed): NO DATA, not a pass. Absent when not judged. */
  verdict?: PlanVerdict | null;
  /** Why EXPLAIN failed. */
  error?: string;
}

/** A node of EXPLAIN (FORMAT JSON): only the fields read here. */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const INDEX_NODES = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);
/** Nodes that read a table's rows through an index (a Bitmap Heap Scan names the table, its child the index). */
const INDEXED_READS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

/** Whether any node of a JSON plan reads an index. */
export function planUsesIndex(node: PlanNode): boolean {
  return INDEX_NODES.has(node['Node Type']) || (node.Plans ?? []).some(planUsesIndex);
}

function walk(node: PlanNode, visit: (n: PlanNode) => void): void {
  visit(node);
  for (const c of node.Plans ?? []) walk(c, visit);
}

/** Each node that reads rows of `table`, as EXPLAIN names it ("Seq Scan on audit_log"). */
function readsOf(plan: PlanNode, table: string): Array<{ node: PlanNode; text: string; indexed: boolean }> {
  const out: Array<{ node: PlanNode; text: string; indexed: boolean }> = [];
  walk(plan, (n) => {
    if (n['Relation Name'] !== table) return;
    const type = n['Node Type'];
    let index = n['Index Name'];
    if (type === 'Bitmap Heap Scan') {
      const names: string[] = [];
      walk(n, (c) => c['Index Name'] && names.push(c['Index Name']));
      index = names.join(', ') || undefined;
    }
    out.push({
      node: n,
      text: `${type}${index ? ` using ${index}` : ''} on ${table}`,
      indexed: INDEXED_READS.has(type),
    });
  });
  return out;
}

/**
 * Pure: whether `plan` reads every table of `req` through an index.
 *
 * A table read another way (a Seq Scan) still meets the requirement when the
 * planner had a usable index and chose the scan on cost: `forced` is the plan
 * of the same statement under `enable_seqscan = off`, and if that one reads
 * the table through an index, the index exists and serves the query (a seeded
 * table of a few pages is cheaper to scan whole, and PostgreSQL is right to).
 * Without a forced plan, or when even the forced plan scans the table, the
 * requirement is missed: no index serves the query. A required table absent
 * from the plan is missed too (the declaration no longer fits the SQL).
 */
export function judgePlan(plan: PlanNode, forced: PlanNode | null, req: PlanRequirement): PlanVerdict {
  const reads: string[] = [];
  const missing: string[] = [];
  for (const table of req.tables) {
    const found = readsOf(plan, table);
    if (!found.length) {
      missing.push(`${table} not read by the plan`);
      continue;
    }
    for (const r of found) {
      if (r.indexed) {
        reads.push(r.text);
        continue;
      }
      const alt = forced ? readsOf(forced, table) : [];
      if (alt.length && alt.every((a) => a.indexed)) {
        reads.push(`${r.text} (chosen on cost; with seq scans off: ${alt.map((a) => a.text).join(', ')})`);
      } else {
        reads.push(r.text);
        missing.push(`${r.text} (no usable index on ${table})`);
      }
    }
  }
  return { ok: missing.length === 0, reads, missing };
}

/** Whether some required table is read by anything but an index (then the forced plan is needed to judge). */
function needsForcedPlan(plan: PlanNode, req: PlanRequirement): boolean {
  return req.tables.some((t) => readsOf(plan, t).some((r) => !r.indexed));
}

/**
 * "Execution Time: 1.234 ms" of a text EXPLAIN ANALYZE, or null. The time
 * shown beside a plan must be that plan's own execution: a second EXPLAIN
 * ANALYZE of the same statement runs it again, with its own time.
 */
export function executionTimeOf(textPlan: string): number | null {
  const m = /^Execution Time: ([0-9.]+) ms$/m.exec(textPlan);
  return m ? Number(m[1]) : null;
}

export async function explainAll(client: pg.ClientBase, queries: RepresentativeQuery[]): Promise<PlanResult[]> {
  const out: PlanResult[] = [];
  for (const q of queries) {
    const sql = q.sql.replace(/\s+/g, ' ').trim();
    const judged = q.requires && q.requires.tables.length > 0;
    await client.query('BEGIN');
    try {
      // One execution: the text plan with its buffers and time is what the report shows. The
      // tree the verdict reads is the planner's plan of the same statement in the same
      // transaction (EXPLAIN without ANALYZE: planned, not run again), which is the plan
      // that was executed: same statement, parameters, statistics and settings.
      const text = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) ${q.sql}`, q.params);
      const json = await client.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
      const plan = text.rows.map((r) => r['QUERY PLAN']).join('\n');
      const doc = json.rows[0]['QUERY PLAN'][0] as { Plan: PlanNode };
      let forced: PlanNode | null = null;
      if (judged && needsForcedPlan(doc.Plan, q.requires!)) {
        // Planning only (no ANALYZE): would the planner read the table through an index if it had to?
        await client.query('SET LOCAL enable_seqscan = off');
        const f = await client.query(`EXPLAIN (FORMAT JSON) ${q.sql}`, q.params);
        forced = (f.rows[0]['QUERY PLAN'][0] as { Plan: PlanNode }).Plan;
      }
      out.push({
        queryType: q.queryType,
        sql,
        usesIndex: planUsesIndex(doc.Plan),
        executionMs: executionTimeOf(plan),
        plan,
        ...(q.requires ? { requires: q.requires } : {}),
        ...(judged ? { verdict: judgePlan(doc.Plan, forced, q.requires!) } : {}),
      });
    } catch (e) {
      // No plan is NO DATA for its figure, not a reason to lose the other plans.
      const error = e instanceof Error ? e.message : String(e);
      out.push({
        queryType: q.queryType,
        sql,
        usesIndex: false,
        executionMs: null,
        plan: `EXPLAIN failed: ${error}`,
        ...(q.requires ? { requires: q.requires } : {}),
        ...(judged ? { verdict: null } : {}),
        error,
      });
    } finally {
      await client.query('ROLLBACK');
    }
  }
  return out;
}
