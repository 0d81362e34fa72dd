/**
 * The header facts of a run, from run.json alone: what ran, where, and why
 * the verdict is what it is. Shared by report.html and by `acgs-load report`
 * when it regenerates report.md from a results folder.
 */
import type { ReportHeader } from '../markdown.ts';
import type { RunJson } from '../run-json.ts';

/** Environment lines: machine, services, notes, and the reasons for the exit code. */
export function environmentLines(run: RunJson): string[] {
  const e = run.environment;
  const lines: string[] = [];
  if (e) {
    const load = (l: number[] | undefined) => (l?.length ? l.map((x) => x.toFixed(2)).join(' ') : 'n/a');
    lines.push(
      `Machine: ${e.cpus ?? 'n/a'} × ${e.cpuModel}, ${e.memoryBytes === null ? 'n/a' : `${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB`}, Node ${e.node}; load average ${load(e.loadavgStart)} at start, ${load(e.loadavgEnd)} at end.`,
    );
    lines.push(
      `PostgreSQL ${e.pgVersion} (${e.services?.postgres ?? '?'}), Redis ${e.redisVersion} (${e.services?.redis ?? '?'}), target ${e.targetUrl ?? e.services?.target ?? '?'}.`,
    );
    lines.push(...(e.notes ?? []));
  }
  return lines;
}

/** The header markdownReport takes, from run.json. */
export function reportHeader(run: RunJson): ReportHeader {
  return {
    runId: run.runId,
    profile: run.profile,
    startedAt: run.startedAt,
    durationS: run.durationS,
    engine: run.engine,
    exitCode: run.exitCode,
    verdict: run.verdict,
    environment: [...environmentLines(run), ...(run.reasons ?? []).map((r) => `**${r}**`)],
  };
}

/** report.md's appendix from run.json: slow queries and plans (as the run pipeline writes them). */
export function appendixLines(run: RunJson): string[] {
  const out: string[] = ['## Slow queries (pg_stat_statements, by total time)', ''];
  if (!run.slowQueries?.length) out.push('Not available in this run (see the query table notes).', '');
  for (const q of run.slowQueries ?? [])
    out.push(
      `- ${q.calls} calls, mean ${q.meanMs.toFixed(3)} ms, total ${q.totalMs.toFixed(1)} ms: \`${q.query.replace(/\s+/g, ' ').slice(0, 200)}\``,
    );
  out.push('', '## Query plans (EXPLAIN ANALYZE, BUFFERS)', '');
  for (const p of run.plans ?? []) {
    out.push(`### ${planHeading(p)}`, '', '```sql', p.sql, '```', '', '```', p.plan, '```', '');
  }
  return out;
}

/** The plan's heading: its verdict against the declared index use when judged, else whether it used an index. */
export function planHeading(p: RunJson['plans'][number]): string {
  const time = `${p.executionMs?.toFixed(3) ?? 'n/a'} ms`;
  if (p.requires?.tables.length && p.verdict !== undefined) {
    const v =
      p.verdict === null
        ? 'NO DATA (no plan)'
        : p.verdict.ok
          ? `meets its declaration (${p.requires.tables.join(', ')} through an index)`
          : `FAILS its declaration: no usable index on ${p.verdict.missing.join(', ')}`;
    return `${p.queryType} — ${v}, ${time}`;
  }
  return `${p.queryType} — ${p.usesIndex ? 'uses an index' : 'no index used (none declared)'}, ${time}`;
}
