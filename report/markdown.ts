/**
 * report.md: the run's tables in GitHub-flavoured Markdown, rendered from
 * run.json's figures and layout. Returns a string; only cli/ writes files.
 */
import { type Figure, indexFigures } from './figure.ts';
import { renderCell, type Table } from './tables.ts';

export interface ReportHeader {
  runId: string;
  profile: string;
  startedAt: string;
  durationS: number;
  engine: string;
  exitCode: number;
  verdict: string;
  environment: string[];
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(t: Table, figures: Map<string, Figure>): string {
  const lines = [`## ${t.title}`, ''];
  if (t.intro) lines.push(t.intro, '');
  lines.push(`| ${t.columns.map(escapeCell).join(' | ')} |`);
  lines.push(`| ${t.columns.map(() => '---').join(' | ')} |`);
  for (const row of t.rows) lines.push(`| ${row.map((c) => escapeCell(renderCell(c, figures))).join(' | ')} |`);
  for (const n of t.notes ?? []) lines.push('', `- ${n}`);
  lines.push('');
  return lines.join('\n');
}

/** The whole report.md. */
export function markdownReport(
  header: ReportHeader,
  figureList: Figure[],
  tables: Table[],
  appendix: string[] = [],
): string {
  const figures = indexFigures(figureList);
  const out = [
    `# acgs-load run ${header.runId}`,
    '',
    `**${header.verdict}** — profile \`${header.profile}\`, started ${header.startedAt}, ${header.durationS.toFixed(1)} s, engine ${header.engine}, exit code ${header.exitCode}.`,
    '',
    'Every figure below was measured in this run; its source is named beside it (client side: the load generator; server side: PostgreSQL, Redis or the target).',
    '',
    ...header.environment.map((e) => `- ${e}`),
    '',
  ];
  for (const t of tables) out.push(markdownTable(t, figures));
  out.push(...appendix);
  return out.join('\n');
}
