/**
 * One line when a stage of the run starts and one when it ends, with its
 * duration; a failure names the stage. Stages are the steps of
 * ARCHITECTURE.md's "Data flow of one run".
 */
import { AcgsError, isAcgsError } from '../config/index.ts';

export interface StageRecord {
  name: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

export class StageLog {
  readonly records: StageRecord[] = [];
  /** The stage running now, if any (an abort names it). */
  current: string | null = null;
  constructor(private readonly write: (line: string) => void) {}

  /** Runs `fn` as stage `name`; its return value may carry a one-line detail. */
  async run<T>(name: string, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    this.write(`▶ ${name}`);
    this.current = name;
    const t0 = performance.now();
    try {
      const result = await fn();
      const ms = performance.now() - t0;
      const d = detail ? detail(result) : undefined;
      this.records.push({ name, ms, ok: true, detail: d });
      this.write(`✓ ${name} (${formatMs(ms)})${d ? ` — ${d}` : ''}`);
      return result;
    } catch (e) {
      const ms = performance.now() - t0;
      this.records.push({ name, ms, ok: false, detail: (e as Error).message });
      this.write(`✗ ${name} failed after ${formatMs(ms)}`);
      if (isAcgsError(e)) {
        throw new AcgsError(e.kind, `stage '${name}': ${e.message}`, {
          hint: e.hint,
          details: [...e.details],
          cause: e,
          exitCode: e.exitCode,
        });
      }
      throw e;
    } finally {
      this.current = null;
    }
  }

  /** Records a stage that did not run, and why. */
  skip(name: string, why: string): void {
    this.records.push({ name, ms: 0, ok: true, detail: `skipped: ${why}` });
    this.write(`- ${name} skipped: ${why}`);
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
