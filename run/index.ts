/**
 * Public API of run/: the pipeline that strings the stages of a run together
 * (ARCHITECTURE.md, "Data flow of one run"), and one scenario against the API
 * for `acgs-load scenario run`.
 */
export { runPipeline, type RunOptions, type RunProgress, type ProgressSink } from './pipeline.ts';
export type { RunOutcome } from './write-results.ts';
export { runScenario, assertScenarioName, type ScenarioRunOptions, type ScenarioRunResult } from './scenario-run.ts';
export { scenarioEnv, parseEnvFlags, type ScenarioEnvInput } from './scenario-env.ts';
export { ladderPlan, ladderPlanFromEnv } from './ladder-plan.ts';
