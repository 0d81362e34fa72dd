/**
 * query-mix: one constant-arrival-rate scenario per query type (open model:
 * iterations start on schedule whether or not earlier ones finished, so latency
 * counts from the intended start and an overloaded target shows as
 * dropped_iterations, not as a politely slower load). Ids are drawn uniformly
 * over whole ranges so most reads reach PostgreSQL: this scenario times
 * queries. Thresholds: p95/p99 per query type, average query time, success,
 * and the hit rate of the reads where a hit is expected (warmed keys, keys
 * this VU read before): most reads are first reads of cold keys, which the
 * cache model tags as such and the judged rate leaves out.
 */
import type { Options, Scenario } from 'k6/options';
import * as api from './lib/api.ts';
import { pickUniform } from './lib/ids.ts';
import { readSettings, scaled } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  'One open-model (constant-arrival-rate) scenario per query type, QUERY_MIX_RATE iterations/s each, to time every type.';

const settings = readSettings(__ENV);
const EXECS = {
  q_simple: 'simple',
  q_join: 'join',
  q_aggregation: 'aggregation',
  q_complex: 'complex',
  q_index_scan: 'indexScan',
};

function arrival(exec: string): Scenario {
  const rate = settings.queryMixRate;
  return {
    executor: 'constant-arrival-rate',
    rate,
    timeUnit: '1s',
    duration: scaled(settings, settings.durationSeconds ?? 60),
    preAllocatedVUs: Math.max(2, Math.ceil(rate / 5)),
    maxVUs: Math.max(10, rate * 2),
    gracefulStop: '5s',
    exec,
  };
}

const scenarios: Record<string, Scenario> = {};
for (const [name, exec] of Object.entries(EXECS)) scenarios[name] = arrival(exec);

const thresholds = reportThresholds(settings.targets, { cacheHit: true });
// Per-scenario request latency, so the summary shows each type's end-to-end time too.
for (const name of Object.keys(EXECS)) thresholds[`http_req_duration{scenario:${name}}`] = ['max>=0'];

export const options: Options = { scenarios, thresholds, summaryTrendStats: SUMMARY_TREND_STATS };

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

/** simple: entity reads by key over whole ranges (most are cache misses, so PostgreSQL answers). */
export async function simple(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const pick = Math.floor(ctx.rng() * 4);
  const { ids } = ctx;
  if (pick === 0) await withId(pickUniform(ids.principles, ctx.rng), (id) => api.getPrinciple(ctx, id));
  else if (pick === 1) await withId(pickUniform(ids.policyDecisions, ctx.rng), (id) => api.getDecision(ctx, id));
  else if (pick === 2)
    await withId(pickUniform(ids.complianceChecks, ctx.rng), (id) => api.getComplianceCheck(ctx, id));
  else await withId(pickUniform(ids.synthesisResults, ctx.rng), (id) => api.getSynthesis(ctx, id));
}

/** join: a policy with its rules and principles. */
export async function join(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  await withId(pickUniform(ctx.ids.policies, ctx.rng), (id) => api.getPolicy(ctx, id));
}

/** aggregation: statistics by category (never cached) and amendment tallies. */
export async function aggregation(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  if (ctx.rng() < 0.5) await api.statsByCategory(ctx);
  else await withId(pickUniform(ctx.ids.amendments, ctx.rng), (id) => api.getTally(ctx, id));
}

/** complex: a policy's compliance report (CTEs, window functions). */
export async function complex(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  await withId(pickUniform(ctx.ids.policies, ctx.rng), (id) => api.complianceReport(ctx, id));
}

/** index_scan: one actor's audit entries in the audit window, keyset-paginated. */
export async function indexScan(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const { from, to } = ctx.ids.auditWindow;
  await withId(pickUniform(ctx.ids.users, ctx.rng), (actorId) =>
    api.auditSearch(ctx, { actorId, from, to, limit: 50 }),
  );
}

async function withId(id: number | undefined, f: (id: number) => Promise<unknown>): Promise<void> {
  if (id !== undefined) await f(id);
}
