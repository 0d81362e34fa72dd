/** Generators of users, user_sessions and auth_tokens. */
import { DAY } from '../context.ts';
import { copyEscape, isoTime, copyLine, NULL } from '../copy-text.ts';
import { between, pick, pickWeighted, cumulative } from '../hash.ts';
import { sessionFacts, userIsActive } from './facts.ts';
import type { TableGenerator } from './types.ts';

const ROLES = ['citizen', 'delegate', 'reviewer', 'admin'];
const ROLE_CUM = cumulative([80, 12, 6, 2]);
const SCOPES = ['read', 'vote', 'propose', 'review', 'admin', 'audit'];

export const users: TableGenerator = {
  table: 'users',
  columns: ['id', 'username', 'email', 'display_name', 'role', 'is_active', 'created_at', 'updated_at', 'version'],
  count: (ctx) => ctx.n.users,
  prepare(ctx) {
    const p = ctx.pools;
    const hFirst = ctx.h('users', 'first_name');
    const hLast = ctx.h('users', 'last_name');
    const hDomain = ctx.h('users', 'email_domain');
    const hRole = ctx.h('users', 'role');
    const hCreated = ctx.h('users', 'created_at');
    const hUpdated = ctx.h('users', 'updated_at');
    return (i) => {
      const id = i + 1;
      const first = pick(hFirst(id), p.firstNames);
      const last = pick(hLast(id), p.lastNames);
      // The id suffix makes usernames unique (UNIQUE constraint in 002).
      const username = (first + '.' + last).toLowerCase().replace(/[^a-z0-9.]/g, '') + id;
      const created = ctx.refMs - between(hCreated(id), 400 * DAY, 1100 * DAY);
      const updated = created + between(hUpdated(id), 0, 300 * DAY);
      return copyLine([
        String(id),
        copyEscape(username),
        copyEscape(username + '@' + pick(hDomain(id), p.domains)),
        copyEscape(first + ' ' + last),
        pickWeighted(hRole(id), ROLES, ROLE_CUM),
        userIsActive(ctx, id) ? 't' : 'f',
        isoTime(created),
        isoTime(updated),
        '1',
      ]);
    };
  },
};

function ipAddress(h: number, h2: number): string {
  const a = 1 + (h % 223);
  return `${a === 127 ? 128 : a}.${(h >>> 8) & 255}.${(h >>> 16) & 255}.${1 + (h2 % 254)}`;
}

export const userSessions: TableGenerator = {
  table: 'user_sessions',
  columns: [
    'id',
    'user_id',
    'user_agent',
    'ip_address',
    'created_at',
    'expires_at',
    'revoked',
    'updated_at',
    'version',
    'run_id',
    'client_request_id',
  ],
  count: (ctx) => ctx.n.user_sessions,
  prepare(ctx) {
    const hUa = ctx.h('user_sessions', 'user_agent');
    const hIp = ctx.h('user_sessions', 'ip_address');
    const userAgents = ctx.copy.userAgents;
    return (i) => {
      const id = i + 1;
      const s = sessionFacts(ctx, id);
      const created = isoTime(s.createdMs);
      const ip = ipAddress(hIp(id, 0), hIp(id, 1));
      return `${s.sid}\t${s.userId}\t${pick(hUa(id), userAgents)}\t${ip}\t${created}\t${isoTime(s.expiresMs)}\t${s.revoked ? 't' : 'f'}\t${created}\t1\t${NULL}\t${NULL}`;
    };
  },
};

/** Token i belongs to session i (same user, same validity). */
export const authTokens: TableGenerator = {
  table: 'auth_tokens',
  columns: ['id', 'user_id', 'session_id', 'scopes', 'issued_at', 'expires_at', 'revoked', 'updated_at', 'version'],
  count: (ctx) => ctx.n.user_sessions,
  prepare(ctx) {
    const hId = ctx.h('auth_tokens', 'id');
    const hScopes = ctx.h('auth_tokens', 'scopes');
    const hex8 = (v: number) => v.toString(16).padStart(8, '0');
    return (i) => {
      const id = i + 1;
      const s = sessionFacts(ctx, id);
      const n = 1 + (hScopes(id) % 3);
      const first = hScopes(id, 1) % SCOPES.length;
      // JSON.stringify of the scope names, built as text.
      let scopes = '[';
      for (let k = 0; k < n; k++) scopes += (k ? ',"' : '"') + SCOPES[(first + k) % SCOPES.length] + '"';
      scopes += ']';
      const tid =
        'tok_' + id.toString(36) + '_' + hex8(hId(id, 0)) + hex8(hId(id, 1)) + hex8(hId(id, 2)) + hex8(hId(id, 3));
      const created = isoTime(s.createdMs);
      return `${tid}\t${s.userId}\t${s.sid}\t${scopes}\t${created}\t${isoTime(s.expiresMs)}\t${s.revoked ? 't' : 'f'}\t${created}\t1`;
    };
  },
};
