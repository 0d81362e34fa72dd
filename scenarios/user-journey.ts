/**
 * user-journey: governance users (closed model) logging in, browsing principles
 * (hot ones far more often), opening a policy with its rules, reading a tally,
 * running a compliance report, searching the audit log, voting, asking for a
 * decision and logging out, with think time. Judged against every report
 * target. Soak and spike are profiles of this script: VUS + DURATION_SECONDS,
 * or STAGES.
 */
import type { Options } from 'k6/options';
import { userJourney, partitionsFor } from './lib/journey.ts';
import { closedModel, closedModelMaxVus } from './lib/load-shape.ts';
import { readSettings } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { cacheOpThresholds, reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  'Realistic governance users with think time: login, browse, policy, tally, report, audit, vote, decision, logout.';

const settings = readSettings(__ENV);
const DEFAULTS = { vus: 10, seconds: 60 };

export const options: Options = {
  scenarios: { user_journey: closedModel(settings, DEFAULTS) },
  thresholds: { ...reportThresholds(settings.targets, { cacheHit: true }), ...cacheOpThresholds(settings.targets) },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

export default async function (data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  await userJourney(ctx, partitionsFor(ctx, closedModelMaxVus(settings, DEFAULTS)));
}
