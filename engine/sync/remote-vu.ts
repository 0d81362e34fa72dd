/**
 * The main thread's side of a sync VU: starts its worker thread, waits for
 * its init code, then runs iterations and setup/teardown there. The worker's
 * requests are sent here with the VU's own k6/http module (so the request
 * metrics are emitted by the same code, with the same tags, as for async
 * scripts); its samples, checks and groups are applied to the run in order.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { ScenarioRuntime, VU } from '../vu.ts';
import type { RunState } from '../run-state.ts';
import type { MetricType } from '../metrics/index.ts';
import { IterationInterrupted } from '../run-state.ts';
import { reviveParams } from '../modules/http-shared.ts';
import { CookieJar, reviveJar } from '../modules/cookies.ts';
import {
  SLOT,
  SLOTS,
  wireError,
  type Answer,
  type Command,
  type InstanceCounters,
  type Op,
  type Up,
  type WireError,
  type WireScenario,
  type WorkerInit,
} from './protocol.ts';

/** The request function of the main thread's k6/http module for this VU. */
export type AsyncRequest = (method: string, url: unknown, body?: unknown, params?: unknown) => Promise<unknown>;

/** How long a worker may take to run the script's init code. */
const INIT_TIMEOUT_MS = 120_000;

/**
 * The worker's file. In dist/ it is the bundle bin/build.js writes beside the
 * CLI. From the TypeScript sources it is bundled here once (esbuild, ~0.1 s)
 * into node_modules/.cache: a worker that loaded the sources through tsx
 * would take seconds to start, per VU.
 */
function workerUrl(): URL {
  const built = new URL('./vu-worker.mjs', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return built;
  sourceBundle ??= bundleSources();
  return sourceBundle;
}
let sourceBundle: URL | undefined;

function bundleSources(): URL {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // esbuild is loaded only here (running from the sources), never by the compiled CLI.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const out = buildSync({
    entryPoints: [join(root, 'engine/sync/vu-worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'warning',
  }).outputFiles[0].text;
  const dir = join(root, 'node_modules/.cache/acgs-load');
  const file = join(dir, `vu-worker-${createHash('sha1').update(out).digest('hex').slice(0, 12)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, out);
    renameSync(tmp, file); // whole file or none, for processes that start at the same time
  }
  return pathToFileURL(file);
}

interface Pending {
  resolve(v: { durationMs: number; result?: string }): void;
  reject(e: Error): void;
}

/** How long an interrupted iteration may keep running (a busy loop never reaches a blocking call) before its worker is ended. */
const KILL_AFTER_MS = 2000;

/** One started worker thread and its channels. */
interface Thread {
  worker: Worker;
  up: MessagePort;
  down: MessagePort;
  i32: Int32Array;
}

/** Starts the worker thread of VU `vu.idInTest` (its init code runs at once, without waiting for anyone). */
function launch(source: string, entry: string, vu: { idInTest: number; scope: VU['scope']; run: VU['run'] }): Thread {
  const sab = new SharedArrayBuffer(SLOTS * 4);
  const upCh = new MessageChannel();
  const downCh = new MessageChannel();
  const init: WorkerInit = {
    source,
    entry,
    id: vu.idInTest,
    env: { ...vu.scope.env },
    options: vu.run.options,
    globalTags: vu.run.globalTags,
    sab,
    up: upCh.port2,
    down: downCh.port2,
  };
  const worker = new Worker(workerUrl(), { workerData: init, transferList: [upCh.port2, downCh.port2] });
  worker.unref();
  upCh.port1.unref();
  return { worker, up: upCh.port1, down: downCh.port1, i32: new Int32Array(sab) };
}

/** Most workers started ahead of the VUs that will claim them. */
const MAX_AHEAD = 8;

/**
 * Workers started ahead of their VUs. A test initializes its VUs one after
 * another, with consecutive ids, each blocking until its init code ran;
 * starting the next ones' workers meanwhile lets their start-up overlap. The
 * window grows with the VUs claimed (none ahead for a 1-VU test), and what
 * is left unclaimed at the end is ended with the first VU that closes.
 */
export class WorkerPrefetch {
  private readonly started = new Map<number, Thread>();
  private claimed = 0;
  private disposed = false;

  constructor(
    private readonly source: string,
    private readonly entry: string,
  ) {}

  /** The worker started for this VU's id, if any. */
  take(vu: VU): Thread | undefined {
    const t = this.started.get(vu.idInTest);
    this.started.delete(vu.idInTest);
    return t;
  }

  /** Starts the workers of the next ids after `vu` claimed its own. */
  ahead(vu: VU): void {
    if (this.disposed) return;
    const window = Math.min(MAX_AHEAD, this.claimed++);
    for (let id = vu.idInTest + 1; id <= vu.idInTest + window; id++)
      if (!this.started.has(id))
        this.started.set(id, launch(this.source, this.entry, { idInTest: id, scope: vu.scope, run: vu.run }));
  }

  /** Ends the workers nobody claimed. */
  dispose(): void {
    this.disposed = true;
    for (const t of this.started.values()) void t.worker.terminate();
    this.started.clear();
  }
}

/** One sync VU's worker thread, driven from the main thread. */
export class RemoteVu {
  private thread: Thread;
  private seq = 0;
  private pending: Pending | null = null;
  private lastScenario: unknown = null;
  private sentSetup: string | undefined = undefined;
  private closed = false;
  private killTimer: NodeJS.Timeout | undefined;
  /** Names of the functions the script exports (the exec functions a scenario may call). */
  functions: string[] = [];

  private constructor(
    private readonly vu: VU,
    private readonly source: string,
    private readonly entry: string,
    private readonly request: AsyncRequest,
    private readonly prefetch: WorkerPrefetch | null,
  ) {
    this.thread = this.claim(prefetch?.take(vu) ?? launch(source, entry, vu));
    prefetch?.ahead(vu);
  }

  /**
   * Starts the worker of `vu` (or takes the one `prefetch` started for its
   * id) and blocks until its init code ran (k6 too initializes a VU before it
   * runs anything). An init error is thrown here.
   */
  static start(
    vu: VU,
    source: string,
    entry: string,
    request: AsyncRequest,
    prefetch: WorkerPrefetch | null = null,
  ): RemoteVu {
    return new RemoteVu(vu, source, entry, request, prefetch);
  }

  private claim(t: Thread): Thread {
    const vu = this.vu;
    this.functions = this.awaitInit(t);
    t.up.on('message', (m: Up) => this.onMessage(m, t));
    // a worker that dies (out of memory...) fails its running iteration instead of hanging the test
    t.worker.on('error', (e) => this.lost(t, e));
    t.worker.on('exit', () => this.lost(t, new Error(`VU ${vu.idInTest}: its worker thread ended`)));
    return t;
  }

  private lost(t: Thread, e: Error): void {
    if (this.thread !== t) return;
    this.dead = true;
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }
  private dead = false;

  private awaitInit(t: Thread): string[] {
    const r = Atomics.wait(t.i32, SLOT.INIT, 0, INIT_TIMEOUT_MS);
    if (r === 'timed-out') {
      void t.worker.terminate();
      throw new Error(`VU ${this.vu.idInTest}: the script's init code did not finish in ${INIT_TIMEOUT_MS / 1000} s`);
    }
    for (;;) {
      const got = receiveMessageOnPort(t.up);
      if (!got) throw new Error(`VU ${this.vu.idInTest}: its worker thread ended during init`);
      const m = got.message as Up;
      if (m.t === 'ready') return m.functions;
      if (m.t === 'initError') {
        void t.worker.terminate();
        throw toError(m.error);
      }
      this.onMessage(m, t);
    }
  }

  /** Runs one iteration of `exec` in the worker; resolves with its duration, rejects with its error. */
  iterate(exec: string): Promise<{ durationMs: number }> {
    const vu = this.vu;
    const s = vu.scenario!;
    const cmd: Command = {
      t: 'iter',
      seq: ++this.seq,
      exec,
      iter: vu.scope.iter,
      iterationInScenario: vu.iterationInScenario,
      iterationInInstance: vu.iterationInInstance,
      scenarioIteration: vu.scenarioIteration,
      progress: s.progress(),
      instance: counters(vu.run),
    };
    if (this.lastScenario !== s) {
      this.lastScenario = s;
      cmd.scenario = {
        name: s.name,
        executor: s.executor,
        startTime: s.startTime,
        tags: s.tags,
        env: s.env,
        exec: s.exec,
      };
    }
    if (vu.setupDataJson !== this.sentSetup) {
      this.sentSetup = vu.setupDataJson;
      cmd.setupDataJson = vu.setupDataJson;
    }
    return this.command(cmd);
  }

  /** Calls setup() or teardown() in the worker; resolves with the JSON of its result. */
  async call(name: string, args: unknown[]): Promise<unknown> {
    const r = await this.command({ t: 'call', seq: ++this.seq, name, args, instance: counters(this.vu.run) });
    return r.result === undefined ? undefined : JSON.parse(r.result);
  }

  private command(cmd: Command): Promise<{ durationMs: number; result?: string }> {
    if (this.closed) return Promise.reject(new Error('the VU was closed'));
    if (this.dead) {
      // its worker was ended (a busy interrupted iteration): a new one, with the init code run again
      this.dead = false;
      this.lastScenario = null;
      this.sentSetup = undefined;
      this.thread = this.claim(launch(this.source, this.entry, this.vu));
      return this.command(this.refresh(cmd));
    }
    const t = this.thread;
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      t.worker.ref(); // a running iteration keeps the process alive
      t.worker.postMessage(cmd);
    });
  }

  /** The command again, with what a fresh worker has not been sent yet. */
  private refresh(cmd: Command): Command {
    if (cmd.t !== 'iter') return cmd;
    const s = this.vu.scenario!;
    this.lastScenario = s;
    this.sentSetup = this.vu.setupDataJson;
    return { ...cmd, scenario: wireScenario(s), setupDataJson: this.vu.setupDataJson };
  }

  /**
   * Wakes the worker out of sleep() and fails its next blocking call (k6
   * context cancel). An iteration that does not come back (a loop that never
   * blocks) has its worker ended after KILL_AFTER_MS, as k6 interrupts its JS
   * runtime; the VU starts a new worker for its next iteration.
   */
  interrupt(): void {
    const t = this.thread;
    Atomics.store(t.i32, SLOT.INTERRUPT, this.seq);
    Atomics.notify(t.i32, SLOT.INTERRUPT);
    if (!this.pending || this.killTimer) return;
    this.killTimer = setTimeout(() => {
      this.killTimer = undefined;
      if (!this.pending || this.thread !== t) return;
      this.lost(t, new IterationInterrupted());
      void t.worker.terminate();
    }, KILL_AFTER_MS);
    this.killTimer.unref();
  }

  /** Ends the worker thread. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.killTimer);
    const t = this.thread;
    Atomics.store(t.i32, SLOT.INTERRUPT, this.seq);
    Atomics.notify(t.i32, SLOT.INTERRUPT);
    t.up.close();
    this.dead = true;
    this.prefetch?.dispose();
    await t.worker.terminate();
  }

  private onMessage(m: Up, t: Thread): void {
    const run = this.vu.run;
    if (m.ops) applyOps(run, m.ops);
    // a worker ended after an interrupt may still have messages queued: its results are no one's
    if (t !== this.thread && (m.t === 'done' || m.t === 'http')) return;
    switch (m.t) {
      case 'ops':
        break; // applied above
      case 'log':
        if (m.once) run.logger.warnOnce(m.once, m.msg, m.fields);
        else run.logger.log(m.level, m.msg, m.fields);
        break;
      case 'console':
        run.logger.console(m.level, [m.text]);
        break;
      case 'http':
        void this.onHttp(m);
        break;
      case 'done': {
        const p = this.pending;
        this.pending = null;
        clearTimeout(this.killTimer);
        this.killTimer = undefined;
        this.thread.worker.unref();
        // iterations and iteration_duration carry the VU's tags outside any group
        this.syncTags('', m.userTags);
        if (!p) break;
        if (m.error) p.reject(toError(m.error));
        else p.resolve({ durationMs: m.durationMs, result: m.result });
        break;
      }
    }
  }

  /** The main thread's copy of the VU takes the worker's group and vu tags (they tag the samples emitted here). */
  private syncTags(group: string, userTags: Record<string, string>): void {
    const vu = this.vu;
    if (vu.groupPath === group && sameTags(vu.userTags, userTags)) return;
    vu.groupPath = group;
    for (const k of Object.keys(vu.userTags)) delete vu.userTags[k];
    Object.assign(vu.userTags, userTags);
    vu.tagsChanged();
  }

  /** Sends the worker's requests (a batch in parallel, as k6 does) and answers with the responses. */
  private async onHttp(m: Extract<Up, { t: 'http' }>): Promise<void> {
    const t = this.thread; // the answer goes to the thread that asked, even if it was replaced meanwhile
    this.syncTags(m.group, m.userTags);
    let answer: Answer;
    try {
      // one CookieJar per jar object of the message (calls of a batch share the VU's jar)
      const jars = new Map<unknown, CookieJar>();
      const used: CookieJar[] = [];
      const responses = await Promise.all(
        m.calls.map(([method, url, body, params]) => {
          const p = reviveParams(params) ?? {};
          let jar = jars.get(p.jar);
          if (!jar) jars.set(p.jar, (jar = reviveJar(p.jar) ?? new CookieJar()));
          used.push(jar);
          return this.request(method, url, body, { ...p, jar }); // http.file() parts are recognised as plain data too
        }),
      );
      answer = { ok: true, value: { responses, jars: used.map((j) => j.cookies) } };
    } catch (e) {
      answer = { ok: false, error: wireError(e) };
    }
    if (this.closed || this.thread !== t || this.dead) return;
    try {
      t.down.postMessage(answer);
    } catch (e) {
      t.down.postMessage({ ok: false, error: wireError(e) } satisfies Answer);
    }
    Atomics.add(t.i32, SLOT.REPLY, 1);
    Atomics.notify(t.i32, SLOT.REPLY);
  }
}

/** Applies the worker's ops to the run, in order. */
function applyOps(run: RunState, ops: Op[]): void {
  for (const op of ops) {
    switch (op[0]) {
      case 's':
        run.emit(op[1], op[2], op[3], op[4]);
        break;
      case 'd':
        run.registry.define(op[1], op[2] as MetricType, op[3] as 'time' | 'default');
        break;
      case 'g':
        run.groups.group(op[1], op[2]);
        break;
      case 'c':
        run.groups.check(op[1], op[2], op[3]);
        break;
      case 'x':
        run.stop({ exitCode: op[1] as never, message: op[2], duringSetup: op[3] });
        break;
      case 'f':
        run.markedFailed = op[1];
        break;
    }
  }
}

function wireScenario(s: ScenarioRuntime): WireScenario {
  return { name: s.name, executor: s.executor, startTime: s.startTime, tags: s.tags, env: s.env, exec: s.exec };
}

function counters(run: RunState): InstanceCounters {
  return {
    vusActive: run.vusActive,
    vusInitialized: run.vusInitialized,
    iterationsCompleted: run.iterationsCompleted,
    iterationsInterrupted: run.iterationsInterrupted,
    startMs: run.startMs,
  };
}

function sameTags(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

/** An error from the worker as the main thread reports it (name, message and the script's stack). */
function toError(w: WireError): Error {
  if (w.name === 'IterationInterrupted') return new IterationInterrupted();
  const e = new Error(w.message);
  e.name = w.name;
  if (w.stack) e.stack = w.stack;
  return e;
}
