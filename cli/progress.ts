/**
 * Progress of long work (seed, warm, checks) on a stream. On a terminal one
 * status line is rewritten in place; otherwise (a CI log, a file) a plain
 * status line is printed at most every 10 s, so the log shows the work is
 * alive without a line per event. Lines that record a step (a table loaded,
 * a checker over) are printed either way.
 *
 * The line texts are pure functions of the events; the printers only decide
 * when to write. Any command (and `acgs-load run`, through run/) takes a
 * printer's `onProgress` for the matching producer: seedDatabase, warmCache,
 * runChecks.
 */
import { formatDuration } from '../config/index.ts';
import type { SeedProgressEvent, SeedStepEvent, WarmProgressEvent } from '../seed/index.ts';
import type { CheckProgressEvent } from '../checks/index.ts';

/** At most one status line this often when the stream is not a terminal. */
export const NON_TTY_INTERVAL_MS = 10_000;
/** The live line on a terminal is rewritten at most this often. */
const TTY_REFRESH_MS = 100;

/** What a printer writes to: process.stdout / process.stderr, or a test's capture. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface PrinterOptions {
  /** Non-terminal status interval (default {@link NON_TTY_INTERVAL_MS}). */
  intervalMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** A printer of one producer's events. */
export interface ProgressPrinter<E> {
  onProgress: (e: E) => void;
  /** Clears the live line (terminal); call when the work is over or failed. */
  end(): void;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => formatDuration(Math.max(0, Math.floor(ms / 1000)) * 1000);
const perSec = (n: number, ms: number): string => fmt(ms > 0 ? (n * 1000) / ms : 0);
const took = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** One status line that is rewritten (terminal) or printed now and then (otherwise), and lines that stay. */
export class StatusPrinter {
  readonly tty: boolean;
  private readonly now: () => number;
  private readonly intervalMs: number;
  private readonly started: number;
  private last: number;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    o: PrinterOptions = {},
  ) {
    this.tty = stream.isTTY === true;
    this.now = o.now ?? Date.now;
    this.intervalMs = this.tty ? TTY_REFRESH_MS : (o.intervalMs ?? NON_TTY_INTERVAL_MS);
    // The first plain status comes one interval after the start: short work prints none.
    this.started = this.last = this.now();
  }

  /** Milliseconds since the printer was made. */
  elapsedMs(): number {
    return this.now() - this.started;
  }

  /** The current status; written only when the interval has passed (the text is built only then). */
  status(text: () => string): void {
    const now = this.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text().slice(0, (this.stream.columns ?? 120) - 1)}`);
      this.shown = true;
    } else this.stream.write(text() + '\n');
  }

  /** A line that stays (a step is over). */
  line(text: string): void {
    this.clear();
    this.stream.write(text + '\n');
  }

  end(): void {
    this.clear();
  }

  private clear(): void {
    if (!this.shown) return;
    this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}

// --- seed ---------------------------------------------------------------

/** A table finished loading (a line that stays). */
export function seedTableLine(e: SeedProgressEvent): string {
  return `loaded ${e.table.padEnd(19)} ${fmt(e.rows).padStart(11)} rows  ${fmt(e.rowsPerSec).padStart(10)} rows/s  (${e.tablesDone}/${e.tablesTotal} tables)`;
}

/** The seed's status: tables done, rows so far, and each table still loading with its share and rows/s. */
export function seedStatusLine(
  loading: readonly SeedProgressEvent[],
  doneRows: number,
  tablesDone: number,
  tablesTotal: number,
  elapsedMs: number,
): string {
  const rows = doneRows + loading.reduce((a, e) => a + e.rows, 0);
  const parts = loading.map(
    (e) =>
      `${e.table} ${fmt(e.rows)}/${fmt(e.totalRows)} (${Math.floor((100 * e.rows) / Math.max(1, e.totalRows))}%) ${fmt(e.rowsPerSec)} rows/s`,
  );
  return [`seeding ${secs(elapsedMs)}: ${tablesDone}/${tablesTotal} tables, ${fmt(rows)} rows`, ...parts].join(' | ');
}

/** A step after the load at work (keys and indexes, ANALYZE). */
export function seedStepStatusLine(e: SeedStepEvent, elapsedMs: number): string {
  return `seeding ${secs(elapsedMs)}: ${e.step} ${e.done}/${e.total}`;
}

/** A step after the load is over (a line that stays). */
export function seedStepLine(e: SeedStepEvent, elapsedMs: number): string {
  return e.step === 'analyze'
    ? `analyzed ${e.total} tables in ${took(elapsedMs)}`
    : `built keys and indexes: ${e.total} statements in ${took(elapsedMs)}`;
}

/** seedDatabase's two callbacks: `onProgress` (tables) and `onStep` (after the load). */
export interface SeedPrinter extends ProgressPrinter<SeedProgressEvent> {
  onStep: (e: SeedStepEvent) => void;
}

/**
 * Prints seedDatabase's progress: a line per table loaded and the status of
 * the tables loading, then the steps after the load (a status, a line each).
 */
export function seedProgressPrinter(stream: ProgressStream = process.stderr, o: PrinterOptions = {}): SeedPrinter {
  const p = new StatusPrinter(stream, o);
  const loading = new Map<string, SeedProgressEvent>();
  let doneRows = 0;
  let tablesDone = 0;
  let tablesTotal = 0;
  let stepStarted = 0;
  return {
    onProgress(e) {
      tablesDone = Math.max(tablesDone, e.tablesDone);
      tablesTotal = e.tablesTotal;
      if (e.done) {
        loading.delete(e.table);
        doneRows += e.rows;
        p.line(seedTableLine(e));
      } else loading.set(e.table, e);
      if (loading.size)
        p.status(() => seedStatusLine([...loading.values()], doneRows, tablesDone, tablesTotal, p.elapsedMs()));
    },
    onStep(e) {
      if (e.done === 0) stepStarted = p.elapsedMs();
      if (e.done === e.total) p.line(seedStepLine(e, p.elapsedMs() - stepStarted));
      else p.status(() => seedStepStatusLine(e, p.elapsedMs()));
    },
    end: () => p.end(),
  };
}

// --- warm ---------------------------------------------------------------

/** The warm's status: keys written, the family being written, keys/s. */
export function warmStatusLine(e: WarmProgressEvent, elapsedMs: number): string {
  return `warming ${secs(elapsedMs)}: ${fmt(e.keys)} keys written${e.family ? ` (now ${e.family})` : ''}, ${perSec(e.keys, elapsedMs)} keys/s`;
}

/** Prints warmCache's progress (the command prints the summary at the end). */
export function warmProgressPrinter(
  stream: ProgressStream = process.stderr,
  o: PrinterOptions = {},
): ProgressPrinter<WarmProgressEvent> {
  const p = new StatusPrinter(stream, o);
  return {
    onProgress(e) {
      if (e.done) p.end();
      else p.status(() => warmStatusLine(e, p.elapsedMs()));
    },
    end: () => p.end(),
  };
}

// --- checks -------------------------------------------------------------

/** A checker at work: keys swept so far and keys/s (the cache sweep), or how long it has run. */
export function checkStatusLine(e: CheckProgressEvent, elapsedMs: number): string {
  return e.keys > 0
    ? `checking ${e.checker} ${secs(elapsedMs)}: ${fmt(e.keys)} keys swept, ${perSec(e.keys, elapsedMs)} keys/s`
    : `checking ${e.checker} ${secs(elapsedMs)}`;
}

/** A checker is over (a line that stays). */
export function checkDoneLine(e: CheckProgressEvent, elapsedMs: number): string {
  return `checked ${e.checker}${e.keys > 0 ? `: ${fmt(e.keys)} keys` : ''} in ${took(elapsedMs)}`;
}

/** Prints runChecks' progress: the sweep's keys now and then, a line per checker over. */
export function checkProgressPrinter(
  stream: ProgressStream = process.stderr,
  o: PrinterOptions = {},
): ProgressPrinter<CheckProgressEvent> {
  const p = new StatusPrinter(stream, o);
  const startedAt = new Map<string, number>();
  return {
    onProgress(e) {
      const now = p.elapsedMs();
      if (!startedAt.has(e.checker)) startedAt.set(e.checker, now);
      const ms = now - startedAt.get(e.checker)!;
      if (e.done) p.line(checkDoneLine(e, ms));
      else p.status(() => checkStatusLine(e, ms));
    },
    end: () => p.end(),
  };
}
