/**
 * write-contention: many VUs voting on and updating the same few hot rows
 * (HOT_ROWS open amendments and policies), to stress transactions, optimistic
 * concurrency and cache invalidation. A 409 is an expected answer here (a stale
 * version, or a voter who already voted) and is counted in write_conflicts, not
 * as a failed request. Voters come from each VU's own partition of the users,
 * so two VUs never cast the same voter's ballot. No cache hit rate target:
 * every write invalidates the hot rows on purpose. Its reads are still tagged
 * by the cache model (another VU's update shows as a new version, a miss
 * cause `invalidated`), so the report's miss causes count them.
 */
import { check } from 'k6';
import type { Options } from 'k6/options';
import * as api from './lib/api.ts';
import { hotRows, partitionsFor } from './lib/journey.ts';
import { partitionMember } from './lib/ids.ts';
import { closedModel, closedModelMaxVus } from './lib/load-shape.ts';
import { readSettings } from './lib/settings.ts';
import { fetchSetupData } from './lib/setup.ts';
import { reportThresholds, SUMMARY_TREND_STATS } from './lib/thresholds.ts';
import { think, vuContext, type SetupData } from './lib/vu.ts';

/** One line for `acgs-load scenario list`. */
export const description =
  'Many VUs vote on and update the same HOT_ROWS rows; 409 (stale version, duplicate vote) is expected.';

const settings = readSettings(__ENV);
const DEFAULTS = { vus: 20, seconds: 30 };
const CHOICES = ['for', 'against', 'abstain'] as const;

const thresholds = reportThresholds(settings.targets, { queryTypes: ['simple', 'join'] });
// Shown, not judged: how often each kind of write lost the race.
thresholds['write_conflicts{kind:vote}'] = ['count>=0'];
thresholds['write_conflicts{kind:policy_update}'] = ['count>=0'];
thresholds['acked_writes{kind:vote}'] = ['count>=0'];
thresholds['acked_writes{kind:policy_update}'] = ['count>=0'];

export const options: Options = {
  scenarios: { write_contention: closedModel(settings, DEFAULTS) },
  thresholds,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export async function setup(): Promise<SetupData> {
  return fetchSetupData(settings);
}

export default async function (data: SetupData): Promise<void> {
  const ctx = vuContext(settings, data);
  const partitions = partitionsFor(ctx, closedModelMaxVus(settings, DEFAULTS));
  const amendments = hotRows(ctx.ids.openAmendments, settings.hotRows);
  const policies = hotRows(ctx.ids.policies, settings.hotRows);
  const j = (ctx.state.voter = (ctx.state.voter ?? -1) + 1);
  const voterId = partitionMember(ctx.ids.users, ctx.vu, partitions, j).id;
  if (voterId === undefined) return;

  if (amendments.length) {
    const amendmentId = amendments[j % amendments.length];
    await api.vote(ctx, amendmentId, voterId, CHOICES[Math.floor(ctx.rng() * 3)]);
  }

  if (policies.length) {
    const policyId = policies[Math.floor(ctx.rng() * policies.length)];
    const p = await api.getPolicy(ctx, policyId);
    const version = api.policyVersion(p);
    if (check(null, { 'policy carries its version': () => version !== undefined }) && version !== undefined) {
      await api.updatePolicy(ctx, policyId, {
        expectedVersion: version,
        updatedBy: voterId,
        description: `contention ${ctx.runId} vu ${ctx.vu}`,
      });
    }
  }
  await think(ctx);
}
