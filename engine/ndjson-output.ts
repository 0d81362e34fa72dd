/**
 * `--out json=FILE`: k6's NDJSON output (docs "JSON output"): a Metric line
 * the first time a metric gets a sample, then one Point line per sample.
 *
 * Kept off the request path: a sample only joins a queue when it is
 * recorded; lines are formatted (with the tag JSON cached per tag set) and
 * written in batches, every 200 ms or every few thousand samples.
 * A file name ending in `.gz` is written gzip-compressed, as k6 does.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { finished, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Metric, Registry, Sample } from './metrics/index.ts';
import { ndjsonMetricLine, NdjsonPointFormatter } from './summary/index.ts';
import type { ThresholdDef } from './thresholds/index.ts';

/** Samples queued before a flush is forced between timer ticks. */
const QUEUE_MAX = 8192;

/** Streams every sample of `registry` into `file` until closed. */
export class NdjsonOutput {
  private readonly stream: Writable;
  private readonly file: WriteStream;
  private readonly seen = new Set<string>();
  /** Samples in order, with each metric's Metric line (a string) before its first sample. */
  private queue: Array<Sample | string> = [];
  private readonly points = new NdjsonPointFormatter();
  private readonly off: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(file: string, registry: Registry, thresholds: () => ThresholdDef[]) {
    mkdirSync(dirname(file), { recursive: true });
    this.file = createWriteStream(file);
    this.stream = file.endsWith('.gz') ? createGzip() : this.file;
    if (this.stream !== this.file) this.stream.pipe(this.file);
    this.off = registry.onSample((s: Sample, m: Metric) => {
      if (!this.seen.has(m.name)) {
        this.seen.add(m.name);
        this.queue.push(
          ndjsonMetricLine(
            m,
            thresholds().filter((t) => t.metric === m.name || t.metric.startsWith(`${m.name}{`)),
          ),
        );
      }
      if (this.queue.push(s) >= QUEUE_MAX) this.flush();
    });
    this.timer = setInterval(() => this.flush(), 200);
    this.timer.unref();
  }

  private flush(): void {
    const q = this.queue;
    if (q.length === 0) return;
    this.queue = [];
    let buf = '';
    for (const s of q) buf += (typeof s === 'string' ? s : this.points.line(s.metric, s.value, s.tags, s.time)) + '\n';
    this.stream.write(buf);
  }

  /** Stops listening, writes what is queued and closes the file. */
  async close(): Promise<void> {
    this.off();
    clearInterval(this.timer);
    this.flush();
    this.stream.end();
    await new Promise<void>((res, rej) => finished(this.file, (e) => (e ? rej(e) : res())));
  }
}
