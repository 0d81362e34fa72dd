/**
 * Counts violations by kind and keeps the first few examples of each: the
 * bookkeeping every checker shares. Memory is bounded by (kinds x examples).
 */
import type { CheckerName, CheckerResult } from './types.ts';

export class Tally {
  readonly violations: Record<string, number> = {};
  readonly examples: Record<string, unknown[]> = {};
  readonly notes: string[] = [];
  /** Why the result is incomplete (an input missing): any entry makes it NO DATA. */
  readonly unmeasured: string[] = [];
  checked = 0;

  constructor(private readonly maxExamples: number) {}

  /** Records `n` violations of `kind`, with optional examples (kept up to the cap). */
  add(kind: string, n = 1, ...examples: unknown[]): void {
    if (n <= 0) return;
    this.violations[kind] = (this.violations[kind] ?? 0) + n;
    const list = (this.examples[kind] ??= []);
    for (const ex of examples) {
      if (list.length >= this.maxExamples) break;
      list.push(ex);
    }
  }

  /** Adds examples to a kind already counted elsewhere. */
  example(kind: string, ex: unknown): void {
    const list = (this.examples[kind] ??= []);
    if (list.length < this.maxExamples) list.push(ex);
  }

  total(): number {
    return Object.values(this.violations).reduce((a, b) => a + b, 0);
  }

  /**
   * The result. `failing` is how many checked items had at least one violation
   * (default: the total count, for checkers where one item has at most one).
   * Zero items checked, or an input missing (`unmeasured`), is no measurement:
   * score null and `noData` set, never a 100 % that would pass unseen.
   */
  result(name: CheckerName, startedMs: number, failing = this.total(), extra?: Record<string, unknown>): CheckerResult {
    const why = [...(this.checked === 0 ? ['0 items checked'] : []), ...this.unmeasured];
    const score = why.length ? null : Math.max(0, 1 - failing / this.checked);
    return {
      name,
      checked: this.checked,
      violations: { ...this.violations },
      score,
      ...(why.length ? { noData: why.join('; ') } : {}),
      examples: { ...this.examples },
      durationMs: Math.round(performance.now() - startedMs),
      notes: [...this.notes],
      ...(extra ? { extra } : {}),
    };
  }
}

/** Double-quotes an SQL identifier (as pg's escapeIdentifier does). */
export function qi(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
