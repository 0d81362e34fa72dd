/**
 * The ladder's steps as scenarios/ladder.ts names and times them, for the
 * report's one ladder reader (report/figures/ladder.ts), which does not
 * depend on scenarios/.
 */
import type { Config } from '../config/index.ts';
import type { LadderPlan } from '../report/index.ts';
import { stepNames, stepSeconds } from '../scenarios/lib/ladder-steps.ts';

/** Step names and duration from the configuration the scenario was given. */
export function ladderPlan(config: Readonly<Config>): LadderPlan {
  const { users, stepSeconds: configured } = config.load.ladder;
  return {
    steps: stepNames(users).map((name, i) => ({ name, users: users[i] })),
    stepSeconds: stepSeconds(configured, config.load.durationFactor),
  };
}

/** The same from the scenario's environment (`scenario run ladder -e LADDER_STEP_SECONDS=...`). */
export function ladderPlanFromEnv(users: readonly number[], env: Readonly<Record<string, string>>): LadderPlan {
  const seconds = stepSeconds(Number(env.LADDER_STEP_SECONDS ?? 30), Number(env.DURATION_FACTOR ?? 1));
  return { steps: stepNames(users).map((name, i) => ({ name, users: users[i] })), stepSeconds: seconds };
}
