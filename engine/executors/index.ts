/** The executors by k6 type name, and reading a `scenarios` object into configs. */
import { EXECUTOR_TYPES, FieldReader, readBaseConfig, type BaseConfig, type ExecutorType } from './base-config.ts';
import type { ExecutorDefinition } from './context.ts';
import { sharedIterations } from './shared-iterations.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { constantVus } from './constant-vus.ts';
import { rampingVus } from './ramping-vus.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';

export const EXECUTORS: Record<ExecutorType, ExecutorDefinition<any>> = {
  'shared-iterations': sharedIterations,
  'per-vu-iterations': perVuIterations,
  'constant-vus': constantVus,
  'ramping-vus': rampingVus,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
};

/** Reads every scenario; problems are appended to `errors` (all of them, not the first). */
export function readScenarios(scenarios: Record<string, unknown>, errors: string[]): BaseConfig[] {
  const out: BaseConfig[] = [];
  for (const [name, rawV] of Object.entries(scenarios)) {
    if (!/^[0-9A-Za-z_-]+$/.test(name))
      errors.push(`scenario name "${name}" may only contain letters, digits, "_" and "-"`);
    const raw = (rawV ?? {}) as Record<string, unknown>;
    const type = raw.executor as ExecutorType;
    if (!EXECUTOR_TYPES.includes(type)) {
      errors.push(
        `scenario "${name}": executor ${JSON.stringify(raw.executor)} is not one of ${EXECUTOR_TYPES.join(', ')}${raw.executor === 'externally-controlled' ? ' (externally-controlled needs real k6)' : ''}`,
      );
      continue;
    }
    const r = new FieldReader(name, raw, errors);
    out.push(EXECUTORS[type].read(readBaseConfig(name, type, r), r));
  }
  return out;
}

export type { BaseConfig, ExecutorType };
export { EXECUTOR_TYPES };
