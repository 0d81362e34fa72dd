/**
 * The compiled script: one `vm.Script` compiled once, whose result is a
 * factory function. Calling the factory runs the script's init code in a
 * fresh function scope, so each VU gets its own top-level variables while all
 * VUs share one compiled program (k6 compiles once and instantiates a goja
 * runtime per VU; this is the Node equivalent at a fraction of the memory).
 */
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildFactorySource } from './bundle.ts';
import type { VU } from './vu.ts';
import { K6_EXIT_CODES, K6RunError } from './exit-codes.ts';

type Factory = (...args: unknown[]) => void;

/** What a VU's `require` resolves: module name -> module object. */
export type ModuleResolver = (name: string, vu: VU) => unknown;

/** A loaded script, ready to be instantiated once per VU. */
export class ScriptProgram {
  private constructor(
    private readonly factory: Factory,
    /** Absolute path of the entry script; open() resolves relative to it. */
    readonly entry: string,
  ) {}

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
    return new ScriptProgram(factory, abs);
  }

  /**
   * Runs the init code for one VU and returns its exports. Exceptions
   * propagate (the caller turns them into exit 107, as k6 does for init
   * errors).
   */
  instantiate(vu: VU, resolveModule: ModuleResolver, consoleObj: unknown): Record<string, unknown> {
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
    return module.exports;
  }

  /**
   * k6 `open(filePath, [mode])`: init code only, path relative to the script;
   * mode "b" returns an ArrayBuffer. Files are read once per test and shared.
   */
  private open(vu: VU, path: string, mode?: string): string | ArrayBuffer {
    if (!vu.inInit) {
      throw new Error(
        'The "open()" function is only available in the init stage (i.e. the global scope), see https://grafana.com/docs/k6/latest/using-k6/test-lifecycle/',
      );
    }
    const abs = resolve(dirname(this.entry), path);
    const key = `${mode === 'b' ? 'b' : 't'}:${abs}`;
    const cache = vu.run.openCache;
    let v = cache.get(key);
    if (v === undefined) {
      const buf = readFileSync(abs);
      v = mode === 'b' ? buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) : buf.toString('utf8');
      cache.set(key, v);
    }
    return v;
  }
}
