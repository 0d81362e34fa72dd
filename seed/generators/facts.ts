/**
 * Facts about a parent row that child rows (and other tables) need: a
 * session's user and expiry for its token, a policy's creation time and
 * update count for its updates, an amendment's vote tally for its counters.
 * Each is a pure function of (ctx, id), so any table can recompute them.
 */
import { type GenContext, DAY, FAR_FUTURE_MS } from '../context.ts';
import { between, coprimeStride, unit } from '../hash.ts';
import { zipfPick } from '../zipf.ts';

/** Whether user `id` is active (97 % are); users.is_active and their sessions agree on it. */
export function userIsActive(ctx: GenContext, id: number): boolean {
  return unit(ctx.h('users', 'is_active')(id)) < 0.97;
}

/** A user session (id 1-based = row index + 1). */
export function sessionFacts(ctx: GenContext, id: number) {
  const h = ctx.h('user_sessions', 'facts');
  const userId = zipfPick(h(id, 0), ctx.n.users);
  const createdMs = ctx.refMs - between(h(id, 1), 0, 30 * DAY);
  const kind = unit(h(id, 2)); // 85% valid, 10% expired, 5% revoked
  const expired = kind >= 0.85 && kind < 0.95;
  // Deactivating a user revokes their sessions (the transaction-isolation checker's
  // session_outlives_user invariant), so an inactive user's sessions are revoked.
  const revoked = kind >= 0.95 || !userIsActive(ctx, userId);
  const expiresMs = expired
    ? createdMs + between(h(id, 3), 3_600_000, DAY)
    : FAR_FUTURE_MS + between(h(id, 3), 0, 365 * DAY);
  const sid =
    'ses_' + id.toString(36) + '_' + h(id, 4).toString(16).padStart(8, '0') + h(id, 5).toString(16).padStart(8, '0');
  return { userId, createdMs, expiresMs, revoked, sid };
}

/** A policy: creation time and its accepted updates (version = 1 + updates). */
export function policyFacts(ctx: GenContext, id: number) {
  const h = ctx.h('policies', 'facts');
  const createdMs = ctx.refMs - between(h(id, 0), 365 * DAY, 730 * DAY);
  const updates = ctx.policyUpdates.counts[id - 1];
  // Updates are spread evenly between creation and the reference date.
  const step = Math.floor((ctx.refMs - createdMs) / (updates + 1));
  const lastUpdateMs = createdMs + updates * step;
  return { createdMs, updates, step, lastUpdateMs };
}

/** The k-th (0-based) principle linked to policy `policyId`: distinct for k < links. */
export function linkedPrinciple(ctx: GenContext, policyId: number, k: number): number {
  const h = ctx.h('policy_principles', 'stride');
  const P = ctx.n.principles;
  const start = zipfPick(h(policyId, 0), P) - 1; // popular principles are linked more
  const stride = coprimeStride(h(policyId, 1), P);
  return ((start + k * stride) % P) + 1;
}

/** Up to `max` distinct principles of a policy's links, chosen by hash `hv`. */
export function principlesOfPolicy(ctx: GenContext, policyId: number, hv: number, max: number): number[] {
  const links = ctx.policyLinks.counts[policyId - 1];
  const len = 1 + (hv % Math.min(max, links));
  const first = (hv >>> 8) % links;
  const out: number[] = [];
  for (let t = 0; t < len; t++) out.push(linkedPrinciple(ctx, policyId, (first + t) % links));
  return out.sort((a, b) => a - b);
}

const CHOICES = ['for', 'against', 'abstain'] as const;

/** An amendment: its dates, openness, voters and the tally of its votes. */
export function amendmentFacts(ctx: GenContext, id: number, withTally = true) {
  const h = ctx.h('amendments', 'facts');
  const createdMs = ctx.refMs - between(h(id, 0), 7 * DAY, 540 * DAY);
  const opensMs = createdMs + between(h(id, 1), 0, 3 * DAY);
  const open = unit(h(id, 2)) < 0.3; // open ones accept votes during runs
  const closesMs = open ? FAR_FUTURE_MS + between(h(id, 3), 0, 365 * DAY) : Math.min(opensMs + 14 * DAY, ctx.refMs);
  const pFor = 0.25 + 0.5 * unit(h(id, 4));
  const U = ctx.n.users;
  const voterStart = h(id, 5) % U;
  const voterStride = coprimeStride(h(id, 6), U);
  const first = ctx.votes.prefix[id - 1];
  const count = ctx.votes.counts[id - 1];
  const tally = { for: 0, against: 0, abstain: 0 };
  if (withTally) for (let k = 0; k < count; k++) tally[voteChoice(ctx, first + k, pFor)]++;
  return { createdMs, opensMs, closesMs, open, pFor, voterStart, voterStride, first, count, tally };
}

/** The choice of vote row `i` of an amendment leaning `pFor` towards "for". */
export function voteChoice(ctx: GenContext, i: number, pFor: number): (typeof CHOICES)[number] {
  const u = unit(ctx.h('amendment_votes', 'choice')(i));
  if (u < pFor) return 'for';
  return u < pFor + (1 - pFor) * 0.8 ? 'against' : 'abstain';
}

/** Table sizes by audit entity type (AUDIT_ENTITY_TABLES). */
export function entityCount(ctx: GenContext, table: string): number {
  switch (table) {
    case 'principles':
      return ctx.n.principles;
    case 'policies':
      return ctx.n.policies;
    case 'amendments':
      return ctx.n.amendments;
    case 'policy_decisions':
      return ctx.n.policy_decisions;
    case 'compliance_checks':
      return ctx.n.compliance_checks;
    case 'synthesis_results':
      return ctx.n.synthesis_results;
    case 'users':
      return ctx.n.users;
    default:
      throw new Error(`no entity count for table ${table}`);
  }
}
