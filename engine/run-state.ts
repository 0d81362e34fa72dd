/**
 * What all VUs and executors of one test run share: the metric registry, the
 * group tree, the instance counters k6/execution exposes, the test-wide stop
 * signal, and the caches that must exist once per test (SharedArray, open()).
 */
import type { Metric, Registry, Sample, Tags } from './metrics/index.ts';
import { GroupTree } from './group-tree.ts';
import type { EngineLogger } from './logger.ts';
import { K6_EXIT_CODES, type K6ExitCode } from './exit-codes.ts';

/** Why the test stopped before its executors ran out of work. */
export interface StopReason {
  exitCode: K6ExitCode;
  message: string;
  /** true when setup() had not finished (k6 skips teardown then). */
  duringSetup?: boolean;
}

/** Per-test state; one instance per run. */
export class RunState {
  readonly groups = new GroupTree();
  readonly sharedArrays = new Map<string, readonly unknown[]>();
  readonly openCache = new Map<string, string | ArrayBuffer>();
  /** Epoch ms when the executors started (k6's test start, after setup). */
  startMs = 0;
  vusActive = 0;
  vusInitialized = 0;
  iterationsCompleted = 0;
  iterationsInterrupted = 0;
  stopReason: StopReason | null = null;
  /** Set by exec.test.fail(): the run ends with exit code 110. */
  markedFailed: string | null = null;
  /** Becomes true when the test must stop (abort or threshold). */
  stopped = false;
  private readonly stopListeners = new Set<() => void>();
  /** Samples are dropped once the run is over (k6 `PushIfNotDone`). */
  private acceptingSamples = true;
  /** `--system-tags`: the tag set of a sample without the system tags left out (one copy per tag set). */
  private stripTags: ((tags: Tags) => Tags) | null = null;

  constructor(
    readonly registry: Registry,
    readonly logger: EngineLogger,
    /** Consolidated options the script sees as `exec.test.options`. */
    public options: Record<string, unknown>,
    /** Global `options.tags`. */
    public globalTags: Tags = {},
  ) {}

  /** Adds a sample to the registry (and through it to every output). */
  emit(metric: string, value: number, tags: Tags, time = Date.now()): void {
    if (!this.acceptingSamples) return;
    const s: Sample = { metric, value, tags: this.stripTags ? this.stripTags(tags) : tags, time };
    this.registry.add(s);
  }

  /** Adds samples that share tags and time (one request's metrics) in one call; see Registry.addBatch. */
  emitBatch(metrics: readonly Metric[], values: ArrayLike<number>, n: number, tags: Tags, time: number): void {
    if (this.acceptingSamples)
      this.registry.addBatch(metrics, values, n, this.stripTags ? this.stripTags(tags) : tags, time);
  }

  /** k6 `--system-tags`: every sample, by either path, loses the system tags in `drop`. */
  dropSystemTags(drop: readonly string[]): void {
    const stripped = new WeakMap<Tags, Tags>();
    this.stripTags = (tags) => {
      let t = stripped.get(tags);
      if (!t) {
        t = { ...tags };
        for (const k of drop) delete t[k];
        stripped.set(tags, t);
      }
      return t;
    };
  }

  /** Stops the test: executors stop scheduling and interrupt iterations. */
  stop(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = reason;
    for (const l of [...this.stopListeners]) l();
  }

  /** Calls `fn` once when the test stops; returns an unsubscribe function. */
  onStop(fn: () => void): () => void {
    if (this.stopped) {
      fn();
      return () => {};
    }
    this.stopListeners.add(fn);
    return () => this.stopListeners.delete(fn);
  }

  /** No more samples after this (end of the run). */
  closeSamples(): void {
    this.acceptingSamples = false;
  }

  /** Milliseconds since the executors started. */
  elapsedMs(): number {
    return this.startMs ? Date.now() - this.startMs : 0;
  }
}

/** The error test.abort() throws through the script (k6 common.InterruptError). */
export class TestAbortError extends Error {
  constructor(reason: string) {
    super(reason ? `test aborted: ${reason}` : 'test aborted');
    this.name = 'InterruptError';
  }
}

/** The error an interrupted iteration sees from sleep() and http (k6 context cancelled). */
export class IterationInterrupted extends Error {
  constructor() {
    super('context canceled');
    this.name = 'IterationInterrupted';
  }
}

export const ABORT_EXIT = K6_EXIT_CODES.SCRIPT_ABORTED;
