/**
 * Login, session lookup and logout: sessions cached 1800 s (session:{id}),
 * tokens 3600 s (token:{id}). A token id is `<sessionId>.<random>`, so the
 * lookup can answer "is this token valid for this session" with one EXISTS on
 * token:{id} (logout deletes the key); when Redis cannot say, PostgreSQL does.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ApiError, notFound } from '../http-errors.ts';
import { audit, created, idSchema, runFields, writeMeta, type RouteDeps } from './_shared.ts';

type Row = Record<string, unknown> & { id: string; version: number; revoked: boolean; expires_at: string };

const SCOPES: Record<string, string[]> = {
  citizen: ['read', 'vote'],
  delegate: ['read', 'vote', 'propose'],
  reviewer: ['read', 'vote', 'review'],
  admin: ['read', 'vote', 'propose', 'review', 'admin'],
};

const sessionParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_.-]+$' } },
  additionalProperties: false,
} as const;

const loginBody = {
  type: 'object',
  required: ['userId'],
  properties: { userId: idSchema, ...runFields },
  additionalProperties: false,
} as const;

const lookupQuery = {
  type: 'object',
  properties: { token: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_.-]+$' } },
  additionalProperties: false,
} as const;

export function registerSessionRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const ttl = deps.config.cache.ttlSeconds;

  app.post<{ Body: { userId: number } }>(
    '/api/v1/sessions',
    {
      schema: {
        summary: 'Log in: create a session and a token (write; cached session:{id} and token:{id})',
        tags: ['writes'],
        body: loginBody,
        'x-response': { status: 201, description: '`{"sessionId", "token", "userId", "expiresAt"}`' },
      },
    },
    async (req, reply) => {
      const { userId } = req.body;
      const meta = writeMeta(req);
      const sessionId = `s_${randomBytes(12).toString('hex')}`;
      const tokenId = `${sessionId}.${randomBytes(16).toString('hex')}`;
      const { session, token } = await deps.db.transaction(req.timing, async (tx) => {
        const users = await tx.query<{ role: string; is_active: boolean }>(
          'simple',
          'SELECT role, is_active FROM users WHERE id = $1',
          [userId],
        );
        if (!users[0]) throw notFound('user', userId, 'userId');
        if (!users[0].is_active) throw new ApiError(403, 'user_inactive', `user ${userId} is not active`, 'userId');
        const s = await tx.query<Row>(
          'write',
          `INSERT INTO user_sessions (id, user_id, user_agent, ip_address, created_at, expires_at, revoked, updated_at, version, run_id, client_request_id)
         VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5), false, now(), 1, $6, $7) RETURNING *`,
          [
            sessionId,
            userId,
            String(req.headers['user-agent'] ?? 'unknown').slice(0, 300),
            req.ip,
            ttl.sessions,
            meta.runId,
            meta.clientRequestId,
          ],
        );
        const t = await tx.query<Row>(
          'write',
          `INSERT INTO auth_tokens (id, user_id, session_id, scopes, issued_at, expires_at, revoked, updated_at, version)
         VALUES ($1, $2, $3, $4, now(), now() + make_interval(secs => $5), false, now(), 1) RETURNING *`,
          [tokenId, userId, sessionId, JSON.stringify(SCOPES[users[0].role] ?? ['read']), ttl.authTokens],
        );
        await audit(
          tx,
          { actorId: userId, action: 'session.login', entityType: 'user', entityId: userId, details: { sessionId } },
          meta,
        );
        return { session: s[0], token: t[0] };
      });
      await deps.cache.put(req.timing, deps.cache.key('session:{id}', sessionId), 'sessions', 'entity', {
        v: session.version,
        payload: session,
      });
      await deps.cache.put(req.timing, deps.cache.key('token:{id}', tokenId), 'authTokens', 'entity', {
        v: token.version,
        payload: token,
      });
      return created(reply, { sessionId, token: tokenId, userId, expiresAt: session.expires_at });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    '/api/v1/sessions/:id',
    {
      schema: {
        summary: 'Look a session up (simple; cache-aside session:{id}); with ?token= also EXISTS token:{token}',
        tags: ['reads'],
        params: sessionParams,
        querystring: lookupQuery,
        'x-response': { description: 'the user_sessions row, plus `"tokenValid": boolean` when ?token= is given' },
      },
    },
    async (req) => {
      const { id } = req.params;
      const session = await deps.cache.read<Row>(req.timing, {
        key: deps.cache.key('session:{id}', id),
        dataType: 'sessions',
        kind: 'entity',
        load: async () => {
          const rows = await deps.db.query<Row>(req.timing, 'simple', 'SELECT * FROM user_sessions WHERE id = $1', [
            id,
          ]);
          return rows[0] ? { v: rows[0].version, payload: rows[0] } : null;
        },
      });
      if (!session) throw notFound('session', id);
      const token = req.query.token;
      if (token === undefined) return session;
      return { ...session, tokenValid: await tokenValid(deps, req.timing, session, token) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/sessions/:id',
    {
      schema: {
        summary: 'Log out: revoke the session and its tokens (write; deletes session:{id} and token:{id} keys)',
        tags: ['writes'],
        params: sessionParams,
        'x-response': { description: '`{"sessionId", "revoked": true, "tokensRevoked": n}`' },
      },
    },
    async (req) => {
      const { id } = req.params;
      const meta = writeMeta(req);
      const tokens = await deps.db.transaction(req.timing, async (tx) => {
        const s = await tx.query<{ user_id: number }>(
          'write',
          'UPDATE user_sessions SET revoked = true, version = version + 1, updated_at = now() WHERE id = $1 RETURNING user_id',
          [id],
        );
        if (!s[0]) throw notFound('session', id);
        const t = await tx.query<{ id: string }>(
          'write',
          'UPDATE auth_tokens SET revoked = true, version = version + 1, updated_at = now() WHERE session_id = $1 RETURNING id',
          [id],
        );
        await audit(
          tx,
          {
            actorId: s[0].user_id,
            action: 'session.logout',
            entityType: 'user',
            entityId: s[0].user_id,
            details: { sessionId: id },
          },
          meta,
        );
        return t.map((r) => r.id);
      });
      await deps.cache.invalidate(req.timing, [
        deps.cache.key('session:{id}', id),
        ...tokens.map((t) => deps.cache.key('token:{id}', t)),
      ]);
      return { sessionId: id, revoked: true, tokensRevoked: tokens.length };
    },
  );
}

async function tokenValid(
  deps: RouteDeps,
  timing: import('../timing.ts').RequestTiming,
  session: Row,
  token: string,
): Promise<boolean> {
  if (session.revoked || Date.parse(session.expires_at) <= Date.now()) return false;
  if (token.startsWith(`${session.id}.`)) {
    const exists = await deps.cache.exists(timing, deps.cache.key('token:{id}', token));
    if (exists === true) return true;
  }
  const rows = await deps.db.query(
    timing,
    'simple',
    'SELECT 1 FROM auth_tokens WHERE id = $1 AND session_id = $2 AND NOT revoked AND expires_at > now()',
    [token, session.id],
  );
  return rows.length > 0;
}
