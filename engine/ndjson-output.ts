/**
 * `--out json=FILE`: k6's NDJSON output (docs "JSON output"): a Metric line
 * the first time a metric gets a sample, then one Point line per sample.
 * Lines are batched so a busy run does not make a write call per sample.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Metric, Registry, Sample } from './metrics/index.ts';
import { ndjsonMetricLine, ndjsonPointLine } from './summary/index.ts';
import type { ThresholdDef } from './thresholds/index.ts';

/** Streams every sample of `registry` into `file` until closed. */
export class NdjsonOutput {
  private readonly stream: WriteStream;
  private readonly seen = new Set<string>();
  private buf = '';
  private readonly off: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(file: string, registry: Registry, thresholds: () => ThresholdDef[]) {
    mkdirSync(dirname(file), { recursive: true });
    this.stream = createWriteStream(file);
    this.off = registry.onSample((s: Sample, m: Metric) => {
      if (!this.seen.has(m.name)) {
        this.seen.add(m.name);
        this.buf +=
          ndjsonMetricLine(
            m,
            thresholds().filter((t) => t.metric === m.name || t.metric.startsWith(`${m.name}{`)),
          ) + '\n';
      }
      this.buf += ndjsonPointLine(s) + '\n';
      if (this.buf.length > 1 << 16) this.flush();
    });
    this.timer = setInterval(() => this.flush(), 200);
    this.timer.unref();
  }

  private flush(): void {
    if (this.buf) {
      this.stream.write(this.buf);
      this.buf = '';
    }
  }

  /** Stops listening, writes what is buffered and closes the file. */
  async close(): Promise<void> {
    this.off();
    clearInterval(this.timer);
    this.flush();
    await new Promise<void>((res, rej) => this.stream.end((e?: Error | null) => (e ? rej(e) : res())));
  }
}
