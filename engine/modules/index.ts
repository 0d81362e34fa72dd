/**
 * The module resolver each VU's `require` goes through: the k6 built-ins the
 * embedded engine supplies, created per VU on first use, and a clear error
 * for everything else (k6 extensions, remote modules, unsupported built-ins).
 */
import type { VU } from '../vu.ts';
import type { ModuleResolver } from '../script-program.ts';
import { createK6Module } from './k6.ts';
import { createHttpModule, type HttpSettings } from './http.ts';
import { createMetricsModule } from './metrics.ts';
import { createExecutionModule } from './execution.ts';
import { createDataModule } from './data.ts';
import { createEncodingModule } from './encoding.ts';

/** The k6 modules the embedded engine supplies. */
export const SUPPORTED_MODULES = ['k6', 'k6/http', 'k6/metrics', 'k6/execution', 'k6/data', 'k6/encoding'];

/** A resolver for one test run. `phase` names the lifecycle stage (for error messages). */
export function moduleResolver(http: HttpSettings, phase: () => string): ModuleResolver {
  const perVu = new WeakMap<VU, Map<string, unknown>>();
  return (name: string, vu: VU): unknown => {
    let mods = perVu.get(vu);
    if (!mods) perVu.set(vu, (mods = new Map()));
    let m = mods.get(name);
    if (m) return m;
    switch (name) {
      case 'k6':
        m = createK6Module(vu);
        break;
      case 'k6/http':
        m = createHttpModule(vu, http);
        break;
      case 'k6/metrics':
        m = createMetricsModule(vu);
        break;
      case 'k6/execution':
        m = createExecutionModule(vu, phase);
        break;
      case 'k6/data':
        m = createDataModule(vu);
        break;
      case 'k6/encoding':
        m = createEncodingModule();
        break;
      default:
        throw new Error(
          /^https?:/.test(name)
            ? `remote module "${name}" cannot be loaded by the embedded engine (no network); vendor it into the repository or run the script with real k6 (--engine k6)`
            : `module "${name}" is not supported by the embedded engine (it supplies ${SUPPORTED_MODULES.join(', ')}); run the script with real k6 (--engine k6)`,
        );
    }
    mods.set(name, m);
    return m;
  };
}
