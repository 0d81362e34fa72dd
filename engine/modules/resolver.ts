/**
 * The module resolver each VU's `require` goes through, without k6/http's
 * client: the k6 built-ins that need no network, created per VU on first use,
 * and a clear error for everything else. A sync VU's worker thread uses this
 * with its own k6/http (it must load without undici); the main thread adds
 * its k6/http in index.ts.
 */
import type { VU } from '../vu.ts';
import type { ModuleResolver } from '../script-program.ts';
import { createK6Module } from './k6.ts';
import { createMetricsModule } from './metrics.ts';
import { createExecutionModule } from './execution.ts';
import { createDataModule } from './data.ts';
import { createEncodingModule } from './encoding.ts';
import { createCryptoModule } from './crypto.ts';
import { createTimersModule } from './timers.ts';

/** The k6 modules the embedded engine supplies. */
export const SUPPORTED_MODULES = [
  'k6',
  'k6/http',
  'k6/metrics',
  'k6/execution',
  'k6/data',
  'k6/encoding',
  'k6/crypto',
  'k6/timers',
];

/** Makes one module for one VU. */
export type ModuleFactory = (vu: VU, phase: () => string) => unknown;

/** The modules that need nothing but the VU. */
export const BASE_MODULES: Record<string, ModuleFactory> = {
  k6: (vu) => createK6Module(vu),
  'k6/metrics': (vu) => createMetricsModule(vu),
  'k6/execution': (vu, phase) => createExecutionModule(vu, phase),
  'k6/data': (vu) => createDataModule(vu),
  'k6/encoding': () => createEncodingModule(),
  'k6/crypto': () => createCryptoModule(),
  'k6/timers': (vu) => createTimersModule(vu),
};

/**
 * A resolver over a table of module factories; each VU gets its own
 * instance of a module, made on its first `require`.
 */
export function resolverOf(factories: Record<string, ModuleFactory>, phase: () => string): ModuleResolver {
  const perVu = new WeakMap<VU, Map<string, unknown>>();
  return (name: string, vu: VU): unknown => {
    let mods = perVu.get(vu);
    if (!mods) perVu.set(vu, (mods = new Map()));
    let m = mods.get(name);
    if (m) return m;
    const make = factories[name];
    if (!make) throw new Error(unsupportedModuleMessage(name));
    m = make(vu, phase);
    mods.set(name, m);
    return m;
  };
}

/** k6 modules the embedded engine does not supply, and what they are. */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/^k6\/browser$|^k6\/experimental\/browser$/, 'a browser'],
  [/^k6\/net\/grpc$|^k6\/experimental\/grpc$/, 'gRPC'],
  [/^k6\/ws$|^k6\/experimental\/websockets$|^k6\/websockets$/, 'WebSockets'],
  [/^k6\/html$/, 'HTML parsing'],
  [/^k6\/experimental\//, 'an experimental k6 module'],
  [/^k6\/x\//, 'a k6 extension (xk6)'],
];

/** Why a module cannot be loaded, and what to do instead (the script fails at init, exit 107). */
export function unsupportedModuleMessage(name: string): string {
  const known = UNSUPPORTED.find(([re]) => re.test(name));
  if (known)
    return `module "${name}" (${known[1]}) is not supported by the embedded engine; run the script with real k6 (--engine k6)`;
  if (/^https?:/.test(name))
    return `remote module "${name}" cannot be loaded by the embedded engine (no network); vendor it into the repository or run the script with real k6 (--engine k6)`;
  return `module "${name}" is not supported by the embedded engine (it supplies ${SUPPORTED_MODULES.join(', ')}); run the script with real k6 (--engine k6)`;
}
