/**
 * One function per route of the target's contract (docs/api.md). Each names
 * its endpoint for the `name` tag, declares whether it is a cacheable read
 * (and of which key) or an acknowledged write, tells the VU's cache model what
 * a successful write did to the cache (docs/cache-keys.md "Invalidation"), and
 * returns the call result; scenarios add their own domain checks.
 */
import { call, type CallResult } from './client.ts';
import { seenIn, type KeyPattern } from './cache-keys.ts';
import type { VuContext } from './vu.ts';

const P = '/api/v1';
type Tags = Record<string, string> | undefined;

const created = (r: CallResult) => r.res.status >= 200 && r.res.status < 300;

/** A successful write stored the entry of `pattern` for the id the answer names (write-through). */
function wroteEntity(ctx: VuContext, r: CallResult, pattern: KeyPattern, nested?: string): void {
  const id = idOf(r, nested);
  if (!created(r) || id === undefined) return;
  const row =
    nested && r.json && typeof r.json[nested] === 'object' ? (r.json[nested] as Record<string, unknown>) : r.json;
  ctx.cache.wrote({ pattern, id }, r.startedMs, seenIn(pattern, row));
}

/** GET /api/v1/principles/:id (simple; cache-aside). */
export function getPrinciple(ctx: VuContext, id: number, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/principles/${id}`,
    name: 'GET /principles/:id',
    cacheKey: { pattern: 'principle:{id}', id },
    tags,
  });
}

/** GET /api/v1/policies/:id (join; cache-aside): the policy with its rules. */
export function getPolicy(ctx: VuContext, id: number, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/policies/${id}`,
    name: 'GET /policies/:id',
    cacheKey: { pattern: 'policy:{id}', id },
    tags,
  });
}

/**
 * PUT /api/v1/policies/:id with optimistic concurrency; 409 (stale version) is
 * an expected answer. Done, it deletes `policy:{id}` and the policy's
 * compliance report.
 */
export async function updatePolicy(
  ctx: VuContext,
  id: number,
  body: { expectedVersion: number; updatedBy: number; description?: string; status?: string },
  tags?: Tags,
): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'PUT',
    path: `${P}/policies/${id}`,
    name: 'PUT /policies/:id',
    body,
    ack: 'policy_update',
    expected: 409,
    tags,
  });
  if (created(r)) {
    ctx.cache.invalidated({ pattern: 'policy:{id}', id }, { version: policyVersion(r) });
    ctx.cache.invalidated({ pattern: 'api:compliance-report:{id}', id });
  }
  return r;
}

/** GET /api/v1/amendments/:id/tally (aggregation; cache-aside). */
export function getTally(ctx: VuContext, id: number, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/amendments/${id}/tally`,
    name: 'GET /amendments/:id/tally',
    cacheKey: { pattern: 'api:tally:{id}', id },
    tags,
  });
}

/**
 * POST /api/v1/amendments/:id/votes; 409 (this voter already voted) is an
 * expected answer. Done, it rewrites `api:tally:{id}` in place with the tally
 * of its own transaction (kept when a newer one is there), so the tally is cached.
 */
export async function vote(
  ctx: VuContext,
  id: number,
  voterId: number,
  choice: 'for' | 'against' | 'abstain',
  tags?: Tags,
): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'POST',
    path: `${P}/amendments/${id}/votes`,
    name: 'POST /amendments/:id/votes',
    body: { voterId, choice },
    ack: 'vote',
    expected: 409,
    tags,
  });
  if (created(r)) ctx.cache.wrote({ pattern: 'api:tally:{id}', id }, r.startedMs);
  return r;
}

/** GET /api/v1/stats/principles-by-category (aggregation; never cached). */
export function statsByCategory(ctx: VuContext, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/stats/principles-by-category`,
    name: 'GET /stats/principles-by-category',
    tags,
  });
}

/** GET /api/v1/policies/:id/compliance-report (complex; cache-aside). */
export function complianceReport(ctx: VuContext, id: number, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/policies/${id}/compliance-report`,
    name: 'GET /policies/:id/compliance-report',
    cacheKey: { pattern: 'api:compliance-report:{id}', id },
    tags,
  });
}

/** GET /api/v1/audit (index range scan, keyset pagination; never cached). */
export function auditSearch(
  ctx: VuContext,
  q: { actorId?: number; from?: string; to?: string; limit?: number; cursor?: string },
  tags?: Tags,
): Promise<CallResult> {
  return call(ctx, { method: 'GET', path: `${P}/audit`, name: 'GET /audit', query: q, tags });
}

/** POST /api/v1/decisions: evaluates a policy, stores and caches the decision (`decision:{id}`). */
export async function createDecision(
  ctx: VuContext,
  body: { policyId: number; subjectId: number; action: string; resource: string },
  tags?: Tags,
): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'POST',
    path: `${P}/decisions`,
    name: 'POST /decisions',
    body,
    ack: 'decision',
    tags,
  });
  wroteEntity(ctx, r, 'decision:{id}', 'decision');
  return r;
}

/** GET /api/v1/decisions/:id (simple; cache-aside). */
export function getDecision(ctx: VuContext, id: number | string, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/decisions/${id}`,
    name: 'GET /decisions/:id',
    cacheKey: { pattern: 'decision:{id}', id },
    tags,
  });
}

/** POST /api/v1/compliance-checks: caches the check (`compliance:{id}`), deletes the policy's compliance report. */
export async function createComplianceCheck(
  ctx: VuContext,
  body: { policyId: number; checkedBy: number },
  tags?: Tags,
): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'POST',
    path: `${P}/compliance-checks`,
    name: 'POST /compliance-checks',
    body,
    ack: 'compliance_check',
    tags,
  });
  if (created(r)) ctx.cache.invalidated({ pattern: 'api:compliance-report:{id}', id: body.policyId });
  wroteEntity(ctx, r, 'compliance:{id}', 'complianceCheck');
  return r;
}

/** GET /api/v1/compliance-checks/:id (simple; cache-aside). */
export function getComplianceCheck(ctx: VuContext, id: number | string, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/compliance-checks/${id}`,
    name: 'GET /compliance-checks/:id',
    cacheKey: { pattern: 'compliance:{id}', id },
    tags,
  });
}

/** POST /api/v1/synthesis: stores and caches the result (`synthesis:{id}`). */
export async function createSynthesis(
  ctx: VuContext,
  body: { policyId: number; requestedBy: number; principleIds: number[] },
  tags?: Tags,
): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'POST',
    path: `${P}/synthesis`,
    name: 'POST /synthesis',
    body,
    ack: 'synthesis',
    tags,
  });
  wroteEntity(ctx, r, 'synthesis:{id}', 'synthesis');
  return r;
}

/** GET /api/v1/synthesis/:id (simple; cache-aside). */
export function getSynthesis(ctx: VuContext, id: number | string, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/synthesis/${id}`,
    name: 'GET /synthesis/:id',
    cacheKey: { pattern: 'synthesis:{id}', id },
    tags,
  });
}

/**
 * POST /api/v1/sessions (login): `{sessionId, token}`. 403 (the user is not
 * active; the seed has about 3 % of those) is an expected answer. Done, the
 * session and its token are cached (`session:{id}`, `token:{id}`).
 */
export async function login(ctx: VuContext, userId: number, tags?: Tags): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'POST',
    path: `${P}/sessions`,
    name: 'POST /sessions',
    body: { userId },
    ack: 'session',
    expected: 403,
    tags,
  });
  const sessionId = r.json?.sessionId;
  if (created(r) && typeof sessionId === 'string' && sessionId !== '')
    ctx.cache.wrote({ pattern: 'session:{id}', id: sessionId }, r.startedMs);
  return r;
}

/** GET /api/v1/sessions/:id (simple; cache-aside); with a token the target also runs EXISTS on it. */
export function getSession(ctx: VuContext, id: string, token?: string, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/sessions/${encodeURIComponent(id)}`,
    name: token ? 'GET /sessions/:id?token' : 'GET /sessions/:id',
    query: { token },
    cacheKey: { pattern: 'session:{id}', id },
    tags,
  });
}

/** DELETE /api/v1/sessions/:id (logout: revokes, DELs the keys). */
export async function logout(ctx: VuContext, id: string, tags?: Tags): Promise<CallResult> {
  const r = await call(ctx, {
    method: 'DELETE',
    path: `${P}/sessions/${encodeURIComponent(id)}`,
    name: 'DELETE /sessions/:id',
    tags,
  });
  if (created(r)) ctx.cache.invalidated({ pattern: 'session:{id}', id });
  return r;
}

/** GET /api/v1/config/:key (simple; static configuration, cache-aside). */
export function getConfig(ctx: VuContext, key: string, tags?: Tags): Promise<CallResult> {
  return call(ctx, {
    method: 'GET',
    path: `${P}/config/${encodeURIComponent(key)}`,
    name: 'GET /config/:key',
    cacheKey: { pattern: 'config:{id}', id: key },
    tags,
  });
}

/** GET /healthz. */
export function healthz(ctx: VuContext): Promise<CallResult> {
  return call(ctx, { method: 'GET', path: '/healthz', name: 'GET /healthz' });
}

/** The `id` of a created entity, from the JSON answer (`id`, or `<entity>.id`). */
export function idOf(r: CallResult, nested?: string): string | undefined {
  const j = r.json;
  if (!j) return undefined;
  const v = j.id ?? (nested ? (j[nested] as Record<string, unknown> | undefined)?.id : undefined);
  return v === undefined || v === null ? undefined : String(v);
}

/** The version of a policy from GET /policies/:id (`{policy: row, rules, principleIds}`) or PUT (the row). */
export function policyVersion(r: CallResult): number | undefined {
  const j = r.json;
  if (!j) return undefined;
  const row = (typeof j.policy === 'object' && j.policy !== null ? j.policy : j) as Record<string, unknown>;
  const v = Number(row.version);
  return Number.isInteger(v) ? v : undefined;
}
