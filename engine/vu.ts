/**
 * One virtual user: its own instance of the script's module scope, its own
 * counters and tags, and the machinery to run one iteration and to interrupt
 * it (k6 js/runner.go `VU`, `ActiveVU.RunOnce`).
 */
import { fileURLToPath } from 'node:url';
import type { Tags } from './metrics/index.ts';
import { type RunState, IterationInterrupted, TestAbortError } from './run-state.ts';
import { K6_EXIT_CODES } from './exit-codes.ts';

/** The scenario a VU is currently running for (k6 lib.ScenarioState). */
export interface ScenarioRuntime {
  name: string;
  executor: string;
  /** Epoch ms when the scenario started. */
  startTime: number;
  tags: Tags;
  /** `__ENV` while running this scenario: global env + scenario env. */
  env: Record<string, string>;
  exec: string;
  /** Fraction of the scenario done, 0..1 (k6 `scenario.progress`). */
  progress(): number;
  /** Iterations started by this scenario in this instance so far. */
  iterations: number;
}

/** The per-VU object the compiled script reads `__VU`, `__ITER`, `__ENV`, Math.random from. */
export interface VuScope {
  vu: number;
  iter: number;
  env: Record<string, string>;
  random: () => number;
}

export type IterationOutcome = 'completed' | 'interrupted';

/** A virtual user. */
export class VU {
  readonly scope: VuScope;
  exports: Record<string, unknown> = {};
  /** true while the script's init code runs (open(), new Trend() allowed). */
  inInit = true;
  groupPath = '';
  /** exec.vu.tags: user tags added to every sample of this VU. */
  readonly userTags: Tags = {};
  scenario: ScenarioRuntime | null = null;
  iterationInInstance = 0;
  iterationInScenario = 0;
  /** scenario.iterationInTest of the running iteration. */
  scenarioIteration = 0;
  /** Cancel functions of pending sleeps and requests of the running iteration. */
  readonly pending = new Set<(e: Error) => void>();
  /** Sleeps started and not yet resolved in the running iteration. */
  pendingSleeps = 0;
  /** k6/timers timers pending in the running iteration (it ends when none is left). */
  private pendingTimers = 0;
  private timersIdle: (() => void) | null = null;
  private timerFailure: unknown = undefined;
  interrupted = false;
  private rejectIteration: ((e: Error) => void) | null = null;
  private baseTagsCache: Tags | null = null;
  setupDataJson: string | undefined;
  private setupDataParsed: { v: unknown } | null = null;
  /** Per-VU HTTP client state, owned by modules/http.ts. */
  http: unknown = null;
  /** The VU's default cookie jar (modules/cookies.ts), emptied at each iteration unless `noCookiesReset`. */
  cookieJar: unknown = null;
  /** The worker thread of a sync script's VU (sync/remote-vu.ts); null on the async path. */
  remote: RemoteVuHandle | null = null;

  constructor(
    readonly idInTest: number,
    readonly run: RunState,
    env: Record<string, string>,
  ) {
    this.scope = { vu: idInTest, iter: 0, env, random: Math.random };
  }

  get idInInstance(): number {
    return this.idInTest;
  }

  /** Tags every sample of this VU carries now (global, scenario, vu tags, scenario name, group). */
  tags(): Tags {
    if (this.baseTagsCache) return this.baseTagsCache;
    const t: Tags = { ...this.run.globalTags };
    if (this.scenario) Object.assign(t, this.scenario.tags, { scenario: this.scenario.name });
    Object.assign(t, this.userTags);
    t.group = this.groupPath;
    this.baseTagsCache = t;
    return t;
  }

  /** Forget the cached tags (after the group or the vu tags changed). */
  tagsChanged(): void {
    this.baseTagsCache = null;
  }

  /** Setup data, JSON-parsed once per VU (k6 hands each VU its own copy). */
  setupData(): unknown {
    if (this.setupDataJson === undefined) return undefined;
    if (!this.setupDataParsed) this.setupDataParsed = { v: JSON.parse(this.setupDataJson) };
    return this.setupDataParsed.v;
  }

  /** A k6/timers timer started; `cancel` stops it when the iteration is interrupted. */
  timerStarted(cancel: () => void): void {
    this.pendingTimers++;
    this.pending.add(cancel);
  }

  /** A k6/timers timer fired (setTimeout) or was cleared. */
  timerEnded(cancel: () => void): void {
    this.pending.delete(cancel);
    if (--this.pendingTimers === 0) this.timersIdle?.();
  }

  /** An exception in a timer's callback fails the iteration, as in k6. */
  timerError(e: unknown): void {
    this.timerFailure ??= e;
    this.timersIdle?.();
  }

  /**
   * Resolves when the iteration's k6/timers timers are done (k6 ends an
   * iteration when its event loop is empty); throws a callback's exception.
   */
  async timersSettled(): Promise<void> {
    while (this.pendingTimers > 0 && this.timerFailure === undefined && !this.interrupted)
      await new Promise<void>((resolve) => (this.timersIdle = resolve));
    this.timersIdle = null;
    const failure = this.timerFailure;
    this.timerFailure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Starts running for a scenario (k6 `InitializedVU.Activate`). */
  activate(scenario: ScenarioRuntime): void {
    this.scenario = scenario;
    this.iterationInScenario = 0;
    this.scope.env = scenario.env;
    this.tagsChanged();
  }

  /** A timer the iteration can await; interrupted iterations see it reject. */
  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.interrupted) return reject(new IterationInterrupted());
      this.pendingSleeps++;
      const cancel = (e: Error): void => {
        clearTimeout(timer);
        this.pendingSleeps--;
        reject(e);
      };
      const timer = setTimeout(() => {
        this.pending.delete(cancel);
        this.pendingSleeps--;
        resolve();
      }, ms);
      this.pending.add(cancel);
    });
  }

  /**
   * Runs the exec function once. Exceptions are logged and the test goes on
   * (k6 docs "Test lifecycle"); test.abort() stops the test. Interrupted
   * iterations are not counted in `iterations` (k6 only emits iteration
   * metrics for full iterations).
   */
  async runIteration(fn: (data: unknown) => unknown): Promise<IterationOutcome> {
    const run = this.run;
    const scenario = this.scenario!;
    this.interrupted = false;
    if (run.options.noCookiesReset !== true) this.cookieJar = null; // k6 resets the default jar per iteration
    this.groupPath = '';
    this.tagsChanged();
    this.scope.iter = this.iterationInScenario;
    this.scenarioIteration = scenario.iterations++;
    const start = performance.now();
    const startEpoch = Date.now();
    let outcome: IterationOutcome = 'completed';
    let durationMs: number | undefined;
    try {
      const remoteExec = (fn as { [REMOTE_EXEC]?: string })[REMOTE_EXEC];
      // A sync VU: the iteration runs in its worker, which reports its own duration.
      if (this.remote && remoteExec !== undefined) durationMs = (await this.remote.iterate(remoteExec)).durationMs;
      else {
        const r = fn(this.setupData()) as { then?: unknown } | undefined;
        if (r && typeof r.then === 'function') {
          await new Promise<void>((resolve, reject) => {
            this.rejectIteration = reject;
            (r as Promise<unknown>).then(() => resolve(), reject);
          });
        }
        if (this.pendingTimers > 0 || this.timerFailure !== undefined)
          await new Promise<void>((resolve, reject) => {
            this.rejectIteration = reject;
            this.timersSettled().then(resolve, reject);
          });
      }
    } catch (e) {
      if (this.interrupted || e instanceof IterationInterrupted) outcome = 'interrupted';
      else this.iterationError(e);
    } finally {
      this.rejectIteration = null;
    }
    if (this.pendingSleeps > 0 && outcome === 'completed') {
      run.logger.warnOnce(
        'sleep-not-awaited',
        'sleep() returned before the iteration ended: in the embedded engine sleep() returns a Promise, write `await sleep(n)`',
      );
    }
    this.iterationInScenario++;
    this.iterationInInstance++;
    if (outcome === 'interrupted') {
      run.iterationsInterrupted++;
      return outcome;
    }
    run.iterationsCompleted++;
    const tags = this.tags();
    run.emit('iterations', 1, tags, startEpoch);
    run.emit('iteration_duration', durationMs ?? performance.now() - start, tags);
    return outcome;
  }

  private iterationError(e: unknown): void {
    if (isAbort(e)) {
      this.run.stop({ exitCode: K6_EXIT_CODES.SCRIPT_ABORTED, message: (e as Error).message });
      return;
    }
    const s = this.scenario;
    this.run.logger.log('error', errorText(e), { executor: s?.executor, scenario: s?.name, source: 'stacktrace' });
    // A blocking http call can never succeed on this engine: stop as a script error (107)
    // rather than fail every iteration and exit 0.
    if ((e as Error | undefined)?.name === 'BlockingCallError')
      this.run.stop({ exitCode: K6_EXIT_CODES.SCRIPT_EXCEPTION, message: (e as Error).message });
  }

  /** Interrupts the running iteration: pending sleeps and requests reject (k6 context cancel). */
  interrupt(): void {
    this.interrupted = true;
    const err = new IterationInterrupted();
    for (const cancel of [...this.pending]) cancel(err);
    this.pending.clear();
    this.timersIdle?.();
    this.rejectIteration?.(err);
    this.remote?.interrupt();
  }

  /** Releases what the VU holds: its HTTP connections and, for a sync VU, its worker thread. */
  async close(): Promise<void> {
    await (this.http as { close?: () => Promise<void> } | null)?.close?.();
    await this.remote?.close();
  }
}

/** The name a sync VU's exported function carries on the main thread (script-program.ts). */
export const REMOTE_EXEC = Symbol('remoteExec');

/** What a VU needs of its worker thread (sync/remote-vu.ts `RemoteVu`). */
export interface RemoteVuHandle {
  iterate(exec: string): Promise<{ durationMs: number }>;
  interrupt(): void;
  close(): Promise<void>;
}

/** True for the error exec.test.abort() throws (also across the VM realm). */
export function isAbort(e: unknown): boolean {
  return e instanceof TestAbortError || (e as Error | undefined)?.name === 'InterruptError';
}

/** Frames of the suite itself (engine, CLI, packages, Node internals), never the script's. */
const SUITE_ROOT = fileURLToPath(new URL('..', import.meta.url));
function isSuiteFrame(line: string): boolean {
  return (
    ['engine/', 'cli/', 'node_modules/'].some((d) => line.includes(SUITE_ROOT + d)) ||
    /\(node:|at node:|\(<anonymous>\)|at <anonymous> /.test(line)
  );
}

/**
 * An exception as k6 prints it: the message and the script's own frames (k6
 * shows the JavaScript stack of the script, not of its Go runtime; the engine's
 * frames would only be noise to a script author).
 */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'stack' in e && typeof (e as Error).stack === 'string') {
    return (e as Error)
      .stack!.split('\n')
      .filter((l) => !/^\s+at /.test(l) || !isSuiteFrame(l))
      .join('\n');
  }
  if (e && typeof e === 'object' && 'message' in e) return String((e as Error).message);
  return String(e);
}
