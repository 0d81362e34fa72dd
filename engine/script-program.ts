/**
 * The compiled script: one `vm.Script` compiled once, whose result is a
 * factory function. Calling the factory runs the script's init code in a
 * fresh function scope, so each VU gets its own top-level variables while all
 * VUs share one compiled program (k6 compiles once and instantiates a goja
 * runtime per VU; this is the Node equivalent at a fraction of the memory).
 */
import vm from 'node:vm';
import { resolve } from 'node:path';
import { buildFactorySource } from './bundle.ts';
import { REMOTE_EXEC, type VU } from './vu.ts';
import { openFile } from './modules/open.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';
import { RemoteVu, WorkerPrefetch, usesBlockingCalls, type AsyncRequest } from './sync/index.ts';

type Factory = (...args: unknown[]) => void;

/** What a VU's `require` resolves: module name -> module object. */
export type ModuleResolver = (name: string, vu: VU) => unknown;

/** A loaded script, ready to be instantiated once per VU. */
export class ScriptProgram {
  private constructor(
    private readonly factory: Factory,
    /** Absolute path of the entry script; open() resolves relative to it. */
    readonly entry: string,
    /** The factory's source, for the worker threads of a sync script. */
    private readonly source: string,
    /**
     * A sync script (it calls http.get() and the like, see sync/detect.ts):
     * each VU, and setup()/teardown(), runs in a worker thread of its own.
     */
    readonly sync: boolean,
  ) {}

  /** Workers of a sync script's next VUs, started while the current one initializes. */
  private prefetch: WorkerPrefetch | null = null;

  /** Bundles and compiles the script; a syntax error is a script error (exit 107). */
  static async load(entry: string): Promise<ScriptProgram> {
    const abs = resolve(entry);
    const source = await buildFactorySource(abs);
    // One context for all VUs: the script's globals (Object, JSON...) are
    // apart from the engine's, so a script cannot patch the engine's builtins.
    const context = vm.createContext({});
    let factory: Factory;
    try {
      factory = new vm.Script(source, { filename: abs }).runInContext(context) as Factory;
    } catch (e) {
      throw new K6RunError(
        K6_EXIT_CODES.SCRIPT_EXCEPTION,
        `could not compile the script ${abs}: ${(e as Error).message}`,
      );
    }
    return new ScriptProgram(factory, abs, source, usesBlockingCalls(source));
  }

  /**
   * Runs the init code for one VU and returns its exports. Exceptions
   * propagate (the caller turns them into exit 107, as k6 does for init
   * errors).
   */
  instantiate(vu: VU, resolveModule: ModuleResolver, consoleObj: unknown): Record<string, unknown> {
    if (this.sync && vu.idInTest > 0) return this.instantiateRemote(vu, resolveModule);
    const module = { exports: {} as Record<string, unknown> };
    const require = (name: string): unknown => resolveModule(name, vu);
    const open = (path: string, mode?: string): string | ArrayBuffer => this.open(vu, path, mode);
    vu.inInit = true;
    try {
      this.factory(
        require,
        module,
        module.exports,
        vu.scope,
        open,
        consoleObj,
        setTimeout,
        clearTimeout,
        setInterval,
        clearInterval,
      );
    } finally {
      vu.inInit = false;
    }
    vu.exports = module.exports;
    if (this.sync) vu.exports = this.remoteHooks(vu, resolveModule);
    return vu.exports;
  }

  /** A sync script's VU: init runs in its worker thread; the exports here are handles to its functions. */
  private instantiateRemote(vu: VU, resolveModule: ModuleResolver): Record<string, unknown> {
    vu.inInit = true;
    let remote: RemoteVu;
    try {
      this.prefetch ??= new WorkerPrefetch(this.source, this.entry);
      remote = RemoteVu.start(vu, this.source, this.entry, requestOf(vu, resolveModule), this.prefetch);
    } finally {
      vu.inInit = false;
    }
    vu.remote = remote;
    vu.exports = Object.fromEntries(remote.functions.map((n) => [n, remoteFunction(n)]));
    return vu.exports;
  }

  /**
   * VU 0 of a sync script: its init ran here (options, handleSummary), while
   * setup() and teardown() run in a worker thread, where http.get() blocks.
   */
  private remoteHooks(vu0: VU, resolveModule: ModuleResolver): Record<string, unknown> {
    const exports: Record<string, unknown> = { ...vu0.exports };
    let remote: RemoteVu | null = null;
    for (const name of ['setup', 'teardown']) {
      if (typeof exports[name] !== 'function') continue;
      exports[name] = (...args: unknown[]): Promise<unknown> => {
        remote ??= vu0.remote = RemoteVu.start(vu0, this.source, this.entry, requestOf(vu0, resolveModule));
        return remote.call(name, args);
      };
    }
    return exports;
  }

  /**
   * k6 `open(filePath, [mode])`: init code only, path relative to the script;
   * mode "b" returns an ArrayBuffer. Files are read once per test and shared.
   */
  private open(vu: VU, path: string, mode?: string): string | ArrayBuffer {
    return openFile(vu, this.entry, path, mode);
  }
}

/** The main thread's request function for a sync VU: its own k6/http module's asyncRequest. */
function requestOf(vu: VU, resolveModule: ModuleResolver): AsyncRequest {
  const http = resolveModule('k6/http', vu) as { asyncRequest: AsyncRequest };
  return http.asyncRequest;
}

/** A stand-in for a function of a sync VU's script: VU.runIteration runs it in the worker. */
function remoteFunction(name: string): (...a: unknown[]) => unknown {
  const f = (): never => {
    throw new Error(`${name}() of a sync script runs in its VU's worker thread, not here`);
  };
  return Object.assign(f, { [REMOTE_EXEC]: name });
}
