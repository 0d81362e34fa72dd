/** The shape every table generator has (one per table, see generators/index.ts). */
import type { GenContext } from '../context.ts';

export interface TableGenerator {
  table: string;
  /** Columns in the order `row` emits them (the COPY column list). */
  columns: readonly string[];
  /** Rows this table gets in `ctx`. */
  count(ctx: GenContext): number;
  /**
   * Binds the column hashes once and returns the row function: row index
   * (0-based; ids are index + 1) -> one COPY text line without newline.
   */
  prepare(ctx: GenContext): (i: number) => string;
}
