/**
 * The layout of a report: sections of tables whose cells are either text or a
 * reference to a figure by id. The layout is stored in run.json next to the
 * figures, and report.md / report.html render it; so a number appears in a
 * report only by pointing at the measured figure.
 */
import { type Figure, formatTarget, formatValue, verdict } from './figure.ts';

export type Cell = string | { figure: string; show?: 'value' | 'target' | 'verdict' | 'source' };

export interface Table {
  title: string;
  /** One or two sentences under the title: what is measured, how, caveats. */
  intro?: string;
  columns: string[];
  rows: Cell[][];
  notes?: string[];
}

/** Renders one cell as text, resolving figure references. */
export function renderCell(cell: Cell, figures: Map<string, Figure>): string {
  if (typeof cell === 'string') return cell;
  const f = figures.get(cell.figure);
  if (!f) return `(missing ${cell.figure})`;
  switch (cell.show ?? 'value') {
    case 'value':
      return formatValue(f.value, f.unit);
    case 'target':
      return formatTarget(f.target, f.unit);
    case 'verdict':
      return verdict(f);
    case 'source':
      return f.source;
  }
}
