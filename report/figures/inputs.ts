/**
 * Everything a run measured, as handed from the pipeline to the figure
 * builders. Each builder turns part of it into figures (with sources) and the
 * table that shows them.
 */
import type { Config } from '../../config/index.ts';
import type { CheckerResult } from '../../checks/index.ts';
import type { K6SummaryData } from '../k6-summary.ts';
import type { PgDelta, PromSample, RedisDelta } from '../../measure/index.ts';

export interface ScenarioOutcome {
  name: string;
  summary: K6SummaryData | null;
  exitCode: number;
  engine: string;
  engineLimited: boolean | null;
  durationS: number;
}

/** A checker's result, as checks/ produces it (and `acgs-load check --json` writes it). */
export type CheckerOutcome = CheckerResult;

export interface PlanOutcome {
  queryType: string;
  sql: string;
  usesIndex: boolean;
  executionMs: number | null;
  plan: string;
}

/** The ladder's steps as the script names them (`users_<N>`) and each step's duration. */
export interface LadderPlan {
  steps: Array<{ name: string; users: number }>;
  stepSeconds: number;
}

export interface RunInputs {
  config: Readonly<Config>;
  scenarios: ScenarioOutcome[];
  pg: PgDelta | null;
  redis: RedisDelta | null;
  target: {
    before: PromSample[] | null;
    after: PromSample[] | null;
    utilisation: { mean: number | null; peak: number | null; peakWaiting: number };
  } | null;
  infra: {
    pgVersion: string;
    redisVersion: string;
    pgRttMs: number | null;
    redisRttMs: number | null;
    targetHealthMs: number | null;
    targetUrl: string;
  };
  checks: { ok: boolean; checkers: CheckerOutcome[] } | null;
  plans: PlanOutcome[];
  /** Set when the run includes the ladder scenario. */
  ladder: LadderPlan | null;
}

/** The first scenario whose summary has `name` (optionally with tags). */
export function firstWith(inputs: RunInputs, find: (s: ScenarioOutcome) => boolean): ScenarioOutcome | undefined {
  return inputs.scenarios.find((s) => s.summary && find(s));
}
