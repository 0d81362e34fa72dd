/**
 * cache-ops: every cache operation at a known rate. Three constant-arrival-rate
 * scenarios, CACHE_OPS_RATE iterations/s each:
 *   sessions   login (SET session + token), read it (GET hit), read it with its
 *              token (GET + EXISTS), log out (DEL)
 *   config     static configuration reads (GET, hit after warming)
 *   decisions  create (SET), read back (GET hit), read an old decision drawn
 *              uniformly (a hit when it is among the warmed recent ones, else
 *              a miss: the cold path)
 * Each read's cache_hit sample is tagged by the VU's cache model (a hit
 * expected: just written, or warmed and inside its TTL; else why not), and
 * the hit rate target judges the expected-hit reads. Redis time is judged
 * per operation.
 */
import type { Options, Scenario } from 'k6/options';
import * as api from './lib/api.ts';
import { pickUniform, sizeOf } from './lib/ids.ts';
import { loginOwnUser } from './lib/journey.ts';
import { readSettings, scaled } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { cacheOpThresholds, reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  'Sessions, tokens, static config and decisions: GET hit and miss, SET, DEL, EXISTS at CACHE_OPS_RATE/s each.';

const settings = readSettings(__ENV);
const MAX_VUS = Math.max(10, settings.cacheOpsRate * 2);

function arrival(exec: string): Scenario {
  return {
    executor: 'constant-arrival-rate',
    rate: settings.cacheOpsRate,
    timeUnit: '1s',
    duration: scaled(settings, settings.durationSeconds ?? 60),
    preAllocatedVUs: Math.max(2, Math.ceil(settings.cacheOpsRate / 5)),
    maxVUs: MAX_VUS,
    gracefulStop: '5s',
    exec,
  };
}

const thresholds = reportThresholds(settings.targets, { cacheHit: true, queryTypes: ['simple'] });
Object.assign(thresholds, cacheOpThresholds(settings.targets));

export const options: Options = {
  scenarios: { sessions: arrival('sessions'), config: arrival('config'), decisions: arrival('decisions') },
  thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

/** Session lifecycle: SET, GET hit, GET + EXISTS, DEL. */
export async function sessions(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  // Partition by VU (3 scenarios may each use up to MAX_VUS VUs).
  const login = await loginOwnUser(ctx, Math.min(3 * MAX_VUS, sizeOf(ctx.ids.users)));
  if (!login) return;
  const { sessionId, token } = login;
  await api.getSession(ctx, sessionId);
  await api.getSession(ctx, sessionId, token);
  await api.logout(ctx, sessionId);
}

/** Static configuration reads. */
export async function config(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const keys = ctx.ids.configKeys;
  if (keys.length === 0) return;
  await api.getConfig(ctx, keys[Math.floor(ctx.rng() * keys.length)]);
}

/** Decisions: SET on create, GET hit on read-back, GET miss on an old one. */
export async function decisions(data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const policyId = ctx.zipf.pick(ctx.ids.policies);
  const subjectId = pickUniform(ctx.ids.users, ctx.rng);
  if (policyId === undefined || subjectId === undefined) return;
  const d = await api.createDecision(ctx, { policyId, subjectId, action: 'read', resource: `policy:${policyId}` });
  const id = api.idOf(d, 'decision');
  if (id) await api.getDecision(ctx, id);
  const old = pickUniform(ctx.ids.policyDecisions, ctx.rng);
  if (old !== undefined) await api.getDecision(ctx, old);
}
