/**
 * cli/faults: faults injected during a run (issue 9) — `--fault
 * KIND@TIME[:DURATION]` and the chaos profile. The pipeline calls, in order:
 *
 *   planRunFaults(config, services)        preflight: refuse unsafe faults before any load
 *   new FaultSchedule(plan, ctx).start()   when the scenarios start
 *   schedule.finish()                      after the scenarios: faults lifted, outcomes
 *   analyseRunFaults(outcomes, ...)        the timeline: success before/during/after, recovery
 */
import type { Config } from '../../config/index.ts';
import type { FaultResult, FaultOutcome } from '../../report/build/faults.ts';
import type { Services } from '../services.ts';
import { planFaults, type PlannedFault } from './plan.ts';
import { readRequestPoints } from './read-requests.ts';
import { serverControls } from './server-control.ts';
import { analyseFaults } from './timeline.ts';

export { parseFaultFlag, parseFaultFlags, parseSpan, faultLabel, type FaultSpec } from './parse.ts';
export { planFaults, type PlannedFault } from './plan.ts';
export { FaultSchedule } from './schedule.ts';
export { analyseFaults, windowStats, recoverySeconds, errorKind, type RequestPoint, type TimelineOptions } from './timeline.ts';
export { readRequestPoints } from './read-requests.ts';
export { serverControls, serverOptions, type ServerControl } from './server-control.ts';
export type { FaultContext, FaultOutcome } from './types.ts';

/** Seconds in a row at the success target that make a recovery. */
export const STABLE_SECONDS = 3;

/** The faults of `config` this run may inject; throws FAULT_REFUSED (exit 6) before any load. */
export function planRunFaults(config: Readonly<Config>, services: Pick<Services, 'databaseUrl' | 'redisUrl' | 'source' | 'throwaway'>): PlannedFault[] {
  if (!config.faults.length) return [];
  return planFaults(config, serverControls(config, services), services.source);
}

/** Reads the run's request stream and measures each fault's effect. */
export async function analyseRunFaults(
  outcomes: readonly FaultOutcome[],
  o: { metricsFiles: readonly string[]; loadStart: number; loadEnd: number; config: Readonly<Config> },
): Promise<FaultResult[]> {
  const points = await readRequestPoints(o.metricsFiles);
  return analyseFaults(points, outcomes, {
    loadStart: o.loadStart,
    loadEnd: o.loadEnd,
    successTarget: o.config.targets.successRate,
    stableSeconds: STABLE_SECONDS,
  });
}
