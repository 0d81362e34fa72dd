/**
 * A realistic governance user, shared by user-journey and ladder: log in,
 * browse principles (hot ones far more often), open a policy with its rules,
 * look at an amendment's tally, run a compliance report, search the audit log,
 * vote, ask for a policy decision, check the session, log out - with think
 * time between steps.
 */
import { check, sleep } from 'k6';
import * as api from './api.ts';
import { nth, partitionMember, pickUniform, sizeOf } from './ids.ts';
import { think, type VuContext } from './vu.ts';

/** Seconds a user waits after a failed login (the target's Retry-After). */
const RETRY_AFTER_S = 1;

const CHOICES = ['for', 'against', 'abstain'] as const;
const ACTIONS = ['read', 'update', 'approve'] as const;

/**
 * The VU's user for this iteration: from the VU's own partition of user ids, so
 * two VUs never act as the same user (and never cast the same user's vote).
 */
export function ownUser(ctx: VuContext, partitions: number): number | undefined {
  const j = (ctx.state.userIndex = (ctx.state.userIndex ?? -1) + 1);
  return partitionMember(ctx.ids.users, ctx.vu, partitions, j).id;
}

/** A logged-in user of the VU's partition. */
export interface Login {
  userId: number;
  sessionId: string;
  token: string;
}

/**
 * Logs in as the VU's next own user; an inactive user (403) is skipped for the
 * next one, up to 5 tries. Undefined when no user could log in.
 */
export async function loginOwnUser(
  ctx: VuContext,
  partitions: number,
  tags?: Record<string, string>,
): Promise<Login | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const userId = ownUser(ctx, partitions);
    if (userId === undefined) return undefined;
    const r = await api.login(ctx, userId, tags);
    if (r.res.status === 403) continue;
    const sessionId = r.json ? String(r.json.sessionId ?? '') : '';
    const token = r.json ? String(r.json.token ?? '') : '';
    if (!check(r.json, { 'login returns sessionId and token': () => sessionId !== '' && token !== '' }))
      return undefined;
    return { userId, sessionId, token };
  }
  return undefined;
}

/** One journey of one user. */
export async function userJourney(ctx: VuContext, partitions: number): Promise<void> {
  const { ids } = ctx;
  const login = await loginOwnUser(ctx, partitions);
  if (!login) {
    // A user who cannot log in (the service is down or answers 503) waits before trying
    // again, as a person would and as the target's Retry-After (1 s) asks; without it a
    // VU loops at full speed during an outage and the load is no longer a user's load.
    await sleep(RETRY_AFTER_S);
    await think(ctx);
    return;
  }
  const { userId, sessionId, token } = login;
  await think(ctx);

  const browse = 2 + Math.floor(ctx.rng() * 3);
  for (let i = 0; i < browse; i++) {
    const pid = ctx.zipf.pick(ids.principles);
    if (pid === undefined) break;
    const p = await api.getPrinciple(ctx, pid);
    check(p.json, { 'principle has its id': (j) => !!j && Number(j.id) === pid });
    await think(ctx);
  }

  const policyId = ctx.zipf.pick(ids.policies);
  if (policyId !== undefined) {
    const pol = await api.getPolicy(ctx, policyId);
    check(pol.json, { 'policy has rules': (j) => !!j && Array.isArray(j.rules) });
    await think(ctx);
  }

  const amendmentId = ctx.zipf.pick(ids.amendments);
  if (amendmentId !== undefined) {
    await api.getTally(ctx, amendmentId);
    await think(ctx);
  }

  if (policyId !== undefined) {
    await api.complianceReport(ctx, policyId);
    await think(ctx);
  }

  const actorId = pickUniform(ids.users, ctx.rng);
  await api.auditSearch(ctx, { actorId, from: ids.auditWindow.from, to: ids.auditWindow.to, limit: 20 });
  await think(ctx);

  // Votes go to open amendments only; hot ones more often (a 409 means this user already voted).
  const openId = ctx.zipf.pick(ids.openAmendments);
  if (openId !== undefined) {
    await api.vote(ctx, openId, userId, CHOICES[Math.floor(ctx.rng() * 3)]);
    await think(ctx);
  }

  if (policyId !== undefined) {
    const action = ACTIONS[Math.floor(ctx.rng() * ACTIONS.length)];
    const d = await api.createDecision(ctx, { policyId, subjectId: userId, action, resource: `policy:${policyId}` });
    check(d.json, { 'decision has an id': (j) => !!j && api.idOf(d, 'decision') !== undefined });
    await think(ctx);
  }

  const s = await api.getSession(ctx, sessionId, token);
  check(s.json, { 'session token is valid': (j) => !!j && j.tokenValid === true });
  await api.logout(ctx, sessionId);
}

/** Partitions of the user ids: PARTITIONS, else the scenario's own maximum VU count. */
export function partitionsFor(ctx: VuContext, maxVus: number): number {
  const p = ctx.settings.partitions ?? maxVus;
  // Never more partitions than users, or some VUs would get none.
  return Math.max(1, Math.min(p, sizeOf(ctx.ids.users) || 1));
}

/** The first `n` ids of a set: the hot rows that write-contention fights over. */
export function hotRows(set: Parameters<typeof nth>[0], n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(n, sizeOf(set)); i++) out.push(nth(set, i) as number);
  return out;
}
