/**
 * faults/: infrastructure outages injected during a run — `--fault
 * KIND@TIME[:DURATION]` and the chaos profile. The pipeline calls, in order:
 *
 *   planRunFaults(config, services)        preflight: refuse unsafe faults before any load
 *   new FaultSchedule(plan, ctx).start()   when the scenarios start
 *   schedule.finish()                      after the scenarios: faults lifted, outcomes
 *   analyseRunFaults(outcomes, ...)        the timeline: success before/during/after, recovery
 */
import type { Config } from '../config/index.ts';
import type { Services } from '../services/index.ts';
import { planFaults, type PlannedFault } from './plan.ts';
import { serverControls } from './server-control.ts';

export { parseFaultFlag, parseFaultFlags, parseSpan, faultLabel, type FaultSpec } from './parse.ts';
export { planFaults, type PlannedFault } from './plan.ts';
export { FaultSchedule } from './schedule.ts';
export {
  analyseFaults,
  windowStats,
  recoverySeconds,
  errorKind,
  type RequestPoint,
  type TimelineOptions,
} from './timeline.ts';
export { serverControls, serverOptions, type ServerControl } from './server-control.ts';
export type { FaultContext, FaultOutcome, FaultResult, PoolExhaustOutcome, WindowStats } from './types.ts';

/** Seconds in a row at the success target that make a recovery. */
export const STABLE_SECONDS = 3;

/** The faults of `config` this run may inject; throws FAULT_REFUSED (exit 6) before any load. */
export function planRunFaults(
  config: Readonly<Config>,
  services: Pick<Services, 'databaseUrl' | 'redisUrl' | 'source' | 'throwaway'>,
): PlannedFault[] {
  if (!config.faults.length) return [];
  return planFaults(config, serverControls(config, services), services.source);
}
