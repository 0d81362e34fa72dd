/**
 * The run state as the script's modules see it inside a sync VU's worker
 * thread. The modules (k6, k6/metrics, k6/execution, k6/data...) are the
 * same code as on the main thread; what they do to the run (samples, groups,
 * checks, metric definitions, abort, fail) is recorded here as ops and
 * applied by the main thread in order, so metric names, tags and counts are
 * the main thread's own.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Tags } from '../metrics/index.ts';
import { formatConsoleArgs, type LogLevel } from '../logger.ts';
import type { InstanceCounters, Op, Up } from './protocol.ts';

/** Ops are sent in batches of at most this many (or earlier, at each blocking call). */
const BATCH = 256;

/** The RunState subset the modules use, backed by messages to the main thread. */
export class WorkerRun {
  private ops: Op[] = [];
  readonly sharedArrays = new Map<string, readonly unknown[]>();
  readonly openCache = new Map<string, string | ArrayBuffer>();
  stopped = false;
  counters: InstanceCounters = {
    vusActive: 0,
    vusInitialized: 0,
    iterationsCompleted: 0,
    iterationsInterrupted: 0,
    startMs: 0,
  };
  /** The phase k6/execution names in its errors. */
  phase = 'init';

  constructor(
    private readonly up: MessagePort,
    public options: Record<string, unknown>,
    public globalTags: Tags,
  ) {}

  readonly registry = {
    define: (name: string, type: string, contains: string): void => {
      this.push(['d', name, type, contains]);
    },
  };

  readonly groups = {
    group: (parent: string, name: string): { path: string } => {
      this.push(['g', parent, name]);
      return { path: `${parent}::${name}` };
    },
    check: (group: string, name: string, pass: boolean): void => {
      this.push(['c', group, name, pass]);
    },
  };

  readonly logger = {
    log: (level: LogLevel, msg: string, fields?: Record<string, unknown>): void =>
      this.send({ t: 'log', level, msg, fields: plain(fields) }),
    warnOnce: (key: string, msg: string, fields?: Record<string, unknown>): void =>
      this.send({ t: 'log', level: 'warning', msg, fields: plain(fields), once: key }),
    console: (level: LogLevel, args: unknown[]): void =>
      this.send({ t: 'console', level, text: formatConsoleArgs(args) }),
  };

  get vusActive(): number {
    return this.counters.vusActive;
  }
  get vusInitialized(): number {
    return this.counters.vusInitialized;
  }
  get iterationsCompleted(): number {
    return this.counters.iterationsCompleted;
  }
  get iterationsInterrupted(): number {
    return this.counters.iterationsInterrupted;
  }
  get startMs(): number {
    return this.counters.startMs;
  }

  emit(metric: string, value: number, tags: Tags, time = Date.now()): void {
    this.push(['s', metric, value, tags, time]);
  }

  stop(reason: { exitCode: number; message: string; duringSetup?: boolean }): void {
    if (this.stopped) return;
    this.stopped = true;
    this.push(['x', reason.exitCode, reason.message, reason.duringSetup === true]);
    this.flush();
  }

  set markedFailed(reason: string | null) {
    if (reason !== null) this.push(['f', reason]);
  }
  get markedFailed(): string | null {
    return null;
  }

  elapsedMs(): number {
    return this.startMs ? Date.now() - this.startMs : 0;
  }

  onStop(): () => void {
    return () => {};
  }

  /** Sends the recorded ops (before every blocking call and at the end of an iteration). */
  flush(): void {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    this.up.postMessage({ t: 'ops', ops } satisfies Up);
  }

  /** Sends a message, with the ops recorded before it. */
  send(m: Up): void {
    if (this.ops.length) {
      m.ops = this.ops;
      this.ops = [];
    }
    this.up.postMessage(m);
  }

  private push(op: Op): void {
    this.ops.push(op);
    if (this.ops.length >= BATCH) this.flush();
  }
}

/** Log fields as plain values (they cross threads). */
function plain(fields?: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!fields) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v === undefined || v === null ? v : String(v);
  return out;
}
