/**
 * Entry of a sync VU's worker thread: compiles the script, runs its init code
 * with this VU's own module instances, then runs iterations (and setup() /
 * teardown() for VU 0) on command. The k6 modules are the main thread's code;
 * only k6/http and sleep() block here, waiting for the main thread (see
 * blocking.ts), so a script written for k6 runs as written.
 */
import vm from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { VU } from '../vu.ts';
import type { RunState } from '../run-state.ts';
import { BASE_MODULES, resolverOf } from '../modules/resolver.ts';
import { openFile } from '../modules/open.ts';
import { Blocker } from './blocking.ts';
import { WorkerRun } from './worker-run.ts';
import { createWorkerHttp } from './worker-http.ts';
import { SLOT, wireError, type Command, type WorkerInit, type WireScenario } from './protocol.ts';

const init = workerData as WorkerInit;
const i32 = new Int32Array(init.sab);
const run = new WorkerRun(init.up, init.options, init.globalTags);
const blocker = new Blocker(i32, init.down, run);
// The modules take a RunState; WorkerRun is the part of it they use, kept by messages.
const vu = new VU(init.id, run as unknown as RunState, init.env);
Object.defineProperty(vu, 'interrupted', { get: () => blocker.interrupted(), set: () => {} });

const resolveModule = resolverOf(
  {
    ...BASE_MODULES,
    'k6/http': (v) => createWorkerHttp(v, blocker),
    k6: (v, phase) => Object.assign(BASE_MODULES.k6(v, phase) as object, { sleep: blockingSleep }),
  },
  () => run.phase,
);

/** k6 sleep(seconds): blocks the VU (k6 js/modules/k6/k6.go Sleep). */
function blockingSleep(seconds: number): void {
  const ms = Number(seconds) * 1000;
  blocker.sleep(Number.isFinite(ms) && ms > 0 ? ms : 0);
}

const consoleObj = {
  log: (...a: unknown[]) => run.logger.console('info', a),
  info: (...a: unknown[]) => run.logger.console('info', a),
  warn: (...a: unknown[]) => run.logger.console('warning', a),
  error: (...a: unknown[]) => run.logger.console('error', a),
  debug: () => {},
};

function start(): void {
  try {
    const factory = new vm.Script(init.source, { filename: init.entry }).runInContext(vm.createContext({})) as (
      ...a: unknown[]
    ) => void;
    const module = { exports: {} as Record<string, unknown> };
    vu.inInit = true;
    factory(
      (name: string) => resolveModule(name, vu),
      module,
      module.exports,
      vu.scope,
      (path: string, mode?: string) => openFile(vu, init.entry, path, mode),
      consoleObj,
      setTimeout,
      clearTimeout,
      setInterval,
      clearInterval,
    );
    vu.inInit = false;
    vu.exports = module.exports;
    const functions = Object.keys(module.exports).filter((k) => typeof module.exports[k] === 'function');
    run.send({ t: 'ready', functions });
  } catch (e) {
    run.send({ t: 'initError', error: wireError(e) });
  } finally {
    Atomics.store(i32, SLOT.INIT, 1);
    Atomics.notify(i32, SLOT.INIT);
  }
}

function activate(s: WireScenario): void {
  vu.activate({ ...s, iterations: 0, progress: () => progress });
}
let progress = 0;

async function onCommand(c: Command): Promise<void> {
  blocker.seq = c.seq;
  run.counters = c.instance;
  vu.groupPath = '';
  vu.tagsChanged();
  const t0 = performance.now();
  let error: ReturnType<typeof wireError> | undefined;
  let result: string | undefined;
  try {
    if (c.t === 'iter') {
      run.phase = 'vu';
      if (c.scenario) activate(c.scenario);
      if (c.setupDataJson !== undefined) vu.setupDataJson = c.setupDataJson;
      progress = c.progress;
      if (run.options.noCookiesReset !== true) vu.cookieJar = null; // k6 resets the default jar per iteration
      vu.scope.iter = c.iter;
      vu.iterationInScenario = c.iterationInScenario;
      vu.iterationInInstance = c.iterationInInstance;
      vu.scenarioIteration = c.scenarioIteration;
      const r = (vu.exports[c.exec] as (d: unknown) => unknown)(vu.setupData());
      if (isThenable(r)) await r;
      await vu.timersSettled();
    } else {
      run.phase = c.name;
      vu.scenario = null;
      const r = (vu.exports[c.name] as (...a: unknown[]) => unknown)(...c.args);
      const v = isThenable(r) ? await r : r;
      result = v === undefined ? undefined : JSON.stringify(v);
    }
  } catch (e) {
    error = wireError(e);
  }
  const durationMs = performance.now() - t0;
  run.send({ t: 'done', seq: c.seq, durationMs, userTags: vu.userTags, error, result });
}

const isThenable = (v: unknown): v is Promise<unknown> =>
  v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';

// Commands run one at a time, in order.
let queue = Promise.resolve();
parentPort!.on('message', (c: Command) => {
  queue = queue.then(() => onCommand(c));
});
start();
