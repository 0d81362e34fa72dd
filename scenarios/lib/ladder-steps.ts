/**
 * The ladder's steps: scenario names and step duration. Pure, and shared with
 * cli/ladder-table.ts, which reads the steps' sub-metrics back by these names.
 */

/** Scenario name of each step: users_10, users_25, ... (a repeated size gets a suffix: users_10_2). */
export function stepNames(users: readonly number[]): string[] {
  const seen: Record<string, number> = {};
  return users.map((u) => {
    const base = `users_${u}`;
    seen[base] = (seen[base] ?? 0) + 1;
    return seen[base] === 1 ? base : `${base}_${seen[base]}`;
  });
}

/** A step's duration in whole seconds: LADDER_STEP_SECONDS × DURATION_FACTOR, rounded, at least 1. */
export function stepSeconds(ladderStepSeconds: number, durationFactor: number): number {
  return Math.max(1, Math.round(ladderStepSeconds * durationFactor));
}

/** Seconds between the end of one step and the start of the next: the step's graceful stop. */
export const GRACEFUL_STOP_S = 2;

/** When step `i` starts, in seconds from the start of the test (steps never overlap). */
export function stepStart(i: number, seconds: number): number {
  return i * (seconds + GRACEFUL_STOP_S);
}
