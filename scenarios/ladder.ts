/**
 * ladder: the report's load test. One constant-vus scenario per step of
 * LADDER_USERS (default 10, 25, 50, 100 users), each LADDER_STEP_SECONDS long
 * and started with `startTime` after the previous one (plus its graceful stop),
 * so steps never overlap. Every step is its own scenario, so k6 tags its
 * samples `scenario:users_N`, and the per-step thresholds below make the
 * summary show each step's success rate, average, p95, p99 and request count
 * (throughput = count / step duration; `acgs-load scenario run ladder` prints
 * the table). The users run the user journey.
 */
import type { Options, Scenario } from 'k6/options';
import { partitionsFor, userJourney } from './lib/journey.ts';
import { GRACEFUL_STOP_S, stepNames, stepSeconds, stepStart } from './lib/ladder-steps.ts';
import { readSettings } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { cacheOpThresholds, fmt, reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  "The report's load test: 10, 25, 50, 100 users (LADDER_USERS), one scenario per step, per-step figures.";

const settings = readSettings(__ENV);
const seconds = stepSeconds(settings.ladderStepSeconds, settings.durationFactor);

const names = stepNames(settings.ladderUsers);
const scenarios: Record<string, Scenario> = {};
const t = settings.targets;
const thresholds = { ...reportThresholds(t, { cacheHit: true }), ...cacheOpThresholds(t) };
names.forEach((name, i) => {
  scenarios[name] = {
    executor: 'constant-vus',
    vus: settings.ladderUsers[i],
    duration: `${seconds}s`,
    startTime: `${stepStart(i, seconds)}s`,
    gracefulStop: `${GRACEFUL_STOP_S}s`,
    exec: 'journey',
    tags: { ladder_users: String(settings.ladderUsers[i]) },
  };
  // Judged per step: success rate and average query time.
  thresholds[`http_req_failed{scenario:${name}}`] = [`rate<=${fmt(1 - t.successRate)}`];
  thresholds[`checks{scenario:${name}}`] = [`rate>=${fmt(t.successRate)}`];
  thresholds[`db_query_duration{scenario:${name}}`] = [`avg<=${fmt(t.avgQueryMs)}`];
  // Shown per step, not judged (no report target): k6 lists a sub-metric in the
  // summary only when a threshold names it, so these always-true ones expose them.
  thresholds[`http_req_duration{scenario:${name}}`] = ['max>=0'];
  thresholds[`http_reqs{scenario:${name}}`] = ['count>=0'];
  thresholds[`iterations{scenario:${name}}`] = ['count>=0'];
  thresholds[`cache_hit{scenario:${name}}`] = ['rate>=0'];
});

export const options: Options = { scenarios, thresholds, summaryTrendStats: SUMMARY_TREND_STATS };

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

/** One user journey; VUs are partitioned over the largest step's user count. */
export async function journey(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  await userJourney(ctx, partitionsFor(ctx, Math.max(...settings.ladderUsers)));
}
