/**
 * smoke: two VUs each call every endpoint of the contract once or twice and
 * check the answers. Correctness is judged strictly (every check passes, no
 * request fails); the latency targets per query type and cache operation are
 * judged too, on the few samples smoke has. The cache hit rate is not: right
 * after seeding most entries of what smoke touches are cold. Finishes well
 * under 30 s.
 */
import { check } from 'k6';
import type { Options } from 'k6/options';
import * as api from './lib/api.ts';
import type { CallResult } from './lib/client.ts';
import { nth, partitionMember, pickUniform } from './lib/ids.ts';
import { readSettings } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { cacheOpThresholds, reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { loginOwnUser } from './lib/journey.ts';
import { vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  'Every endpoint once or twice by 2 VUs: correctness judged strictly, latency per query type and cache operation; under 30 s.';

const settings = readSettings(__ENV);
const VUS = 2;

export const options: Options = {
  scenarios: {
    smoke: { executor: 'per-vu-iterations', vus: VUS, iterations: 1, maxDuration: '25s', gracefulStop: '3s' },
  },
  thresholds: {
    // The report's latency targets per query type and cache operation; these also
    // make k6 keep the tagged sub-metrics that the run report's tables read.
    ...reportThresholds(settings.targets, { cacheHit: false }),
    ...cacheOpThresholds(settings.targets),
    // Correctness: every check passes, no request fails.
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
  },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

export default async function (data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const { ids } = ctx;
  const has = (r: CallResult, what: string, f: (j: Record<string, unknown>) => boolean) =>
    check(r.json, { [what]: (j) => j !== undefined && f(j) });

  const health = await api.healthz(ctx);
  has(health, 'healthz ok', (j) => j.status === 'ok');

  const principleId = nth(ids.principles, ctx.vu - 1) as number;
  const policyId = nth(ids.policies, ctx.vu - 1) as number;
  const amendmentId = nth(ids.amendments, 0) as number;

  for (let i = 0; i < 2; i++) {
    const p = await api.getPrinciple(ctx, principleId); // the second read is a cache hit
    has(p, 'principle has its id', (j) => Number(j.id) === principleId);
  }
  const pol = await api.getPolicy(ctx, policyId);
  has(pol, 'policy has rules', (j) => Array.isArray(j.rules));
  await api.getTally(ctx, amendmentId);
  await api.statsByCategory(ctx);
  await api.complianceReport(ctx, policyId);
  await api.auditSearch(ctx, {
    actorId: pickUniform(ids.users, ctx.rng),
    from: ids.auditWindow.from,
    to: ids.auditWindow.to,
    limit: 10,
  });
  if (ids.configKeys.length) await api.getConfig(ctx, ids.configKeys[(ctx.vu - 1) % ids.configKeys.length]);

  const login = await loginOwnUser(ctx, VUS);
  check(null, { 'a user of this VU can log in': () => login !== undefined });
  const user = login?.userId ?? (partitionMember(ids.users, ctx.vu, VUS, 0).id as number);

  const d = await api.createDecision(ctx, {
    policyId,
    subjectId: user,
    action: 'read',
    resource: `policy:${policyId}`,
  });
  const decisionId = api.idOf(d, 'decision');
  if (decisionId) await api.getDecision(ctx, decisionId);
  const cc = await api.createComplianceCheck(ctx, { policyId, checkedBy: user });
  const ccId = api.idOf(cc, 'complianceCheck');
  if (ccId) await api.getComplianceCheck(ctx, ccId);
  // Read after write: the new check invalidated the cached report, so this read
  // reaches PostgreSQL (smoke times the complex query whatever the cache holds).
  const report = await api.complianceReport(ctx, policyId);
  has(report, 'compliance report after a new check is recomputed', (j) => Number(j.checks) > 0);
  const sy = await api.createSynthesis(ctx, { policyId, requestedBy: user, principleIds: [principleId] });
  const syId = api.idOf(sy, 'synthesis');
  if (syId) await api.getSynthesis(ctx, syId);
  check(null, { 'writes return ids': () => !!decisionId && !!ccId && !!syId });

  const open = nth(ids.openAmendments, 0);
  if (open !== undefined) await api.vote(ctx, open, user, 'for');

  // Each VU updates its own policy, so the optimistic update is expected to win.
  const fresh = await api.getPolicy(ctx, policyId);
  const version = api.policyVersion(fresh);
  check(null, { 'policy carries its version': () => version !== undefined });
  if (version !== undefined) {
    const u = await api.updatePolicy(ctx, policyId, {
      expectedVersion: version,
      updatedBy: user,
      description: `smoke ${ctx.runId}`,
    });
    has(u, 'policy update bumps the version', (j) => Number(j.version) === version + 1);
    // Read after write: never the old version (the update invalidated policy:{id}).
    const reread = await api.getPolicy(ctx, policyId);
    check(null, { 'policy read after update has the new version': () => api.policyVersion(reread) === version + 1 });
  }

  if (login) {
    const plain = await api.getSession(ctx, login.sessionId);
    has(plain, 'session belongs to the user', (j) => Number(j.user_id) === login.userId);
    const withToken = await api.getSession(ctx, login.sessionId, login.token);
    has(withToken, 'session token is valid', (j) => j.tokenValid === true);
    const out = await api.logout(ctx, login.sessionId);
    has(out, 'logout revokes the session', (j) => j.revoked === true);
  }
}
