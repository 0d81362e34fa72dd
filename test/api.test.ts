/**
 * The target's HTTP contract against a seeded database: each endpoint's
 * answer equals what PostgreSQL holds, reads after writes never return the
 * old value, conflicts are 409, bad input is 400/404/413 naming the field,
 * and every answer carries Server-Timing and X-Cache.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../api/index.ts';
import { call, metricValue, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
let t: RunningApi;
const q = async (sql: string, params: unknown[] = []) => (await s.pg.query(sql, params)).rows;

beforeAll(async () => {
  s = await seeded('target_api');
  t = await startApi({ config: targetConfig(s.prefix), databaseUrl: s.db.url, redisUrl: 'redis://127.0.0.1:6379' });
});
afterAll(async () => {
  await t?.close();
  await s?.cleanup();
});

describe('reads', () => {
  it('ids: ranges match the tables', async () => {
    const r = await call(t.url, 'GET', '/api/v1/ids');
    const [p] = await q('SELECT min(id)::int AS min, max(id)::int AS max FROM principles');
    expect(r.json.principles).toEqual({ min: p.min, max: p.max });
    const open = await q("SELECT id::int FROM amendments WHERE status = 'open' ORDER BY id");
    expect(r.json.openAmendments.sample).toEqual(open.map((x) => x.id));
    expect(r.json.configKeys.length).toBeGreaterThan(0);
  });

  it('principle: the row, then a HIT holding {v,row,cachedAt} with the policy TTL', async () => {
    const [row] = await q('SELECT id::int, title, weight::text, version FROM principles ORDER BY id LIMIT 1');
    const a = await call(t.url, 'GET', `/api/v1/principles/${row.id}`);
    expect(a.status).toBe(200);
    expect(a.headers.get('x-cache')).toBe('MISS');
    expect(a.headers.get('server-timing')).toMatch(
      /cache;dur=[\d.]+;desc="get-miss", db;dur=[\d.]+;desc="simple", cache;dur=[\d.]+;desc="set"/,
    );
    expect(a.json).toMatchObject({ id: row.id, title: row.title, weight: row.weight, version: row.version });
    expect(a.json.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const b = await call(t.url, 'GET', `/api/v1/principles/${row.id}`);
    expect(b.headers.get('x-cache')).toBe('HIT');
    expect(b.json).toEqual(a.json);
    const key = `${s.prefix}principle:${row.id}`;
    const cached = JSON.parse((await s.redis.get(key))!);
    expect(cached.v).toBe(row.version);
    expect(cached.row).toEqual(a.json);
    const ttl = await s.redis.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('policy: the JOIN of the policy, its rules in order and its principle ids', async () => {
    const [p] = await q('SELECT id::int FROM policies ORDER BY id LIMIT 1 OFFSET 3');
    const rules = await q('SELECT id::int FROM policy_rules WHERE policy_id = $1 ORDER BY rule_order, id', [p.id]);
    const pp = await q('SELECT principle_id::int FROM policy_principles WHERE policy_id = $1 ORDER BY principle_id', [
      p.id,
    ]);
    const r = await call(t.url, 'GET', `/api/v1/policies/${p.id}`);
    expect(r.json.policy.id).toBe(p.id);
    expect(r.json.rules.map((x: { id: number }) => x.id)).toEqual(rules.map((x) => x.id));
    expect(r.json.principleIds).toEqual(pp.map((x) => x.principle_id));
    expect(r.headers.get('server-timing')).toContain('desc="join"');
  });

  it('stats by category: counts equal a GROUP BY, never cached', async () => {
    const rows = await q('SELECT category, count(*)::int AS n FROM principles GROUP BY category ORDER BY category');
    const r = await call(t.url, 'GET', '/api/v1/stats/principles-by-category');
    expect(r.json.categories.map((c: { category: string; principles: number }) => [c.category, c.principles])).toEqual(
      rows.map((x) => [x.category, x.n]),
    );
    expect(r.headers.get('x-cache')).toBe('BYPASS');
    expect(r.headers.get('server-timing')).toContain('desc="aggregation"');
  });

  it('audit: keyset pages cover the window exactly once, in (occurred_at, id) order', async () => {
    const [actor] = await q(
      'SELECT actor_id::int AS id FROM audit_log GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1',
    );
    const all = await q('SELECT id::int FROM audit_log WHERE actor_id = $1 ORDER BY occurred_at, id', [actor.id]);
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 200; page++) {
      const r: Awaited<ReturnType<typeof call>> = await call(
        t.url,
        'GET',
        `/api/v1/audit?actorId=${actor.id}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(r.status).toBe(200);
      seen.push(...r.json.items.map((x: { id: number }) => x.id));
      cursor = r.json.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all.map((x) => x.id));
  });

  it('static config: the row by key', async () => {
    const [c] = await q('SELECT key, version FROM static_config ORDER BY key LIMIT 1');
    const r = await call(t.url, 'GET', `/api/v1/config/${encodeURIComponent(c.key)}`);
    expect(r.json).toMatchObject({ key: c.key, version: c.version });
    expect(await s.redis.ttl(`${s.prefix}config:${c.key}`)).toBeGreaterThan(86000);
  });

  it('single flight: 10 concurrent misses on one key run one query', async () => {
    const [p] = await q('SELECT id::int FROM policies ORDER BY id DESC LIMIT 1');
    const joins = async () =>
      metricValue(
        (await call(t.url, 'GET', '/metrics')).text,
        'acgs_db_query_duration_seconds_count{query_type="join"}',
      );
    const before = await joins();
    const answers = await Promise.all(Array.from({ length: 10 }, () => call(t.url, 'GET', `/api/v1/policies/${p.id}`)));
    expect(answers.every((a) => a.status === 200 && a.json.policy.id === p.id)).toBe(true);
    expect((await joins()) - before).toBe(1);
  });
});

describe('writes', () => {
  it('policy update: read after write sees it; policy_updates row; stale version is 409', async () => {
    const [p] = await q('SELECT id::int FROM policies ORDER BY id LIMIT 1');
    const before = await call(t.url, 'GET', `/api/v1/policies/${p.id}`);
    await call(t.url, 'GET', `/api/v1/policies/${p.id}/compliance-report`);
    const v = before.json.policy.version;
    const put = await call(
      t.url,
      'PUT',
      `/api/v1/policies/${p.id}`,
      { expectedVersion: v, updatedBy: 1, description: 'updated by test' },
      { 'x-run-id': 'run-t', 'x-client-request-id': 'cr-1' },
    );
    expect(put.status).toBe(200);
    expect(put.json.version).toBe(v + 1);
    const after = await call(t.url, 'GET', `/api/v1/policies/${p.id}`);
    expect(after.json.policy.description).toBe('updated by test');
    expect(after.json.policy.version).toBe(v + 1);
    expect(await s.redis.exists(`${s.prefix}api:compliance-report:${p.id}`)).toBe(0);
    const [u] = await q("SELECT from_version, to_version, run_id FROM policy_updates WHERE client_request_id = 'cr-1'");
    expect(u).toEqual({ from_version: v, to_version: v + 1, run_id: 'run-t' });
    const [inv] = await q(
      'SELECT p.version, (SELECT count(*)::int FROM policy_updates u WHERE u.policy_id = p.id) AS n FROM policies p WHERE id = $1',
      [p.id],
    );
    expect(inv.version).toBe(1 + inv.n);
    const [a] = await q("SELECT action FROM audit_log WHERE client_request_id = 'cr-1'");
    expect(a.action).toBe('policy.update');
    const stale = await call(t.url, 'PUT', `/api/v1/policies/${p.id}`, { expectedVersion: v, updatedBy: 1, name: 'x' });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ error: 'version_conflict', field: 'expectedVersion', currentVersion: v + 1 });
  });

  it('vote: counters move in the same transaction, the tally is fresh, a second vote is 409', async () => {
    const [a] = await q("SELECT id::int FROM amendments WHERE status = 'open' ORDER BY id LIMIT 1");
    const [voter] = await q(
      'SELECT id::int FROM users u WHERE NOT EXISTS (SELECT 1 FROM amendment_votes v WHERE v.amendment_id = $1 AND v.voter_id = u.id) ORDER BY id DESC LIMIT 1',
      [a.id],
    );
    const tally = await call(t.url, 'GET', `/api/v1/amendments/${a.id}/tally`);
    const v = await call(t.url, 'POST', `/api/v1/amendments/${a.id}/votes`, {
      voterId: voter.id,
      choice: 'against',
      clientRequestId: 'vote-1',
    });
    expect(v.status).toBe(201);
    // The amendment's row lock (SELECT ... FOR UPDATE) is timed as write: under contention its
    // time is the wait for the lock, which must not count as a simple SELECT by key.
    const timings = (v.headers.get('server-timing') ?? '').split(',').map((e) => e.trim());
    expect(timings.filter((e) => e.startsWith('db;')).length).toBeGreaterThan(0);
    expect(timings.filter((e) => e.startsWith('db;') && e.includes('desc="write"')).length).toBeGreaterThan(0);
    expect(timings.filter((e) => e.startsWith('db;') && e.includes('desc="simple"'))).toEqual([]);
    const after = await call(t.url, 'GET', `/api/v1/amendments/${a.id}/tally`);
    expect(after.json.against).toBe(tally.json.against + 1);
    expect(after.json.total).toBe(tally.json.total + 1);
    const [c] = await q(
      `SELECT a.votes_against, (SELECT count(*)::int FROM amendment_votes v WHERE v.amendment_id = a.id AND v.choice = 'against') AS n FROM amendments a WHERE a.id = $1`,
      [a.id],
    );
    expect(c.votes_against).toBe(c.n);
    expect((await q("SELECT 1 FROM amendment_votes WHERE client_request_id = 'vote-1'")).length).toBe(1);
    const dup = await call(t.url, 'POST', `/api/v1/amendments/${a.id}/votes`, { voterId: voter.id, choice: 'for' });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ error: 'duplicate_vote', field: 'voterId' });
  });

  it('decision: evaluated, stored, cached with the policyDecisions TTL', async () => {
    const r = await call(t.url, 'POST', '/api/v1/decisions', {
      policyId: 1,
      subjectId: 1,
      action: 'read',
      resource: 'document',
    });
    expect(r.status).toBe(201);
    const [row] = await q('SELECT decision, evaluated_rules FROM policy_decisions WHERE id = $1', [r.json.id]);
    expect(row).toEqual({ decision: r.json.decision, evaluated_rules: r.json.evaluated_rules });
    const ttl = await s.redis.ttl(`${s.prefix}decision:${r.json.id}`);
    expect(ttl).toBeGreaterThan(250);
    expect(ttl).toBeLessThanOrEqual(300);
    const g = await call(t.url, 'GET', `/api/v1/decisions/${r.json.id}`);
    expect(g.headers.get('x-cache')).toBe('HIT');
    expect(g.json).toEqual(r.json);
  });

  it('decision: its audit row is written by the same statement (same now(), run ids, details)', async () => {
    const r = await call(
      t.url,
      'POST',
      '/api/v1/decisions',
      { policyId: 1, subjectId: 2, action: 'read', resource: 'document' },
      { 'x-run-id': 'run-d', 'x-client-request-id': 'cr-d1' },
    );
    expect(r.status).toBe(201);
    const audits = await q(
      `SELECT a.actor_id::int, a.action, a.entity_type, a.entity_id::int, a.details, a.run_id, a.client_request_id,
              a.occurred_at = d.created_at AS same_now
         FROM audit_log a JOIN policy_decisions d ON d.id = a.entity_id
        WHERE a.entity_type = 'policy_decision' AND a.entity_id = $1`,
      [r.json.id],
    );
    expect(audits).toEqual([
      {
        actor_id: 2,
        action: 'policy.decide',
        entity_type: 'policy_decision',
        entity_id: r.json.id,
        details: { policyId: 1, decision: r.json.decision },
        run_id: 'run-d',
        client_request_id: 'cr-d1',
        same_now: true,
      },
    ]);
    expect(r.json).toMatchObject({ run_id: 'run-d', client_request_id: 'cr-d1' });
    // The read of the rules, then one write statement, then the cache write.
    expect(r.headers.get('server-timing')).toMatch(
      /^db;dur=[\d.]+;desc="join", db;dur=[\d.]+;desc="write", cache;dur=[\d.]+;desc="set", app;dur=[\d.]+;desc="total"$/,
    );
    // A decision refused (unknown subject) writes neither row.
    const before = await q("SELECT count(*)::int AS n FROM audit_log WHERE action = 'policy.decide'");
    const bad = await call(t.url, 'POST', '/api/v1/decisions', {
      policyId: 1,
      subjectId: 9_000_000_000,
      action: 'read',
      resource: 'document',
    });
    expect(bad.status).toBe(404);
    expect(await q("SELECT count(*)::int AS n FROM audit_log WHERE action = 'policy.decide'")).toEqual(before);
  });

  it('compliance check: stored, cached, and the policy report counts it', async () => {
    const before = await call(t.url, 'GET', '/api/v1/policies/2/compliance-report');
    const [n] = await q('SELECT count(*)::int AS n FROM compliance_checks WHERE policy_id = 2');
    expect(before.json.checks).toBe(n.n);
    const c = await call(t.url, 'POST', '/api/v1/compliance-checks', { policyId: 2, checkedBy: 3 });
    expect(c.status).toBe(201);
    const after = await call(t.url, 'GET', '/api/v1/policies/2/compliance-report');
    expect(after.json.checks).toBe(before.json.checks + 1);
    expect(after.json.passRate).toMatch(/^\d+\.\d{4}$/);
    expect(await s.redis.ttl(`${s.prefix}compliance:${c.json.id}`)).toBeGreaterThan(800);
    expect((await call(t.url, 'GET', `/api/v1/compliance-checks/${c.json.id}`)).json).toEqual(c.json);
  });

  it('synthesis: stored and cached; an unknown principle is 404 naming principleIds', async () => {
    const r = await call(t.url, 'POST', '/api/v1/synthesis', { policyId: 1, requestedBy: 2, principleIds: [1, 2] });
    expect(r.status).toBe(201);
    expect(r.json.principle_ids).toEqual([1, 2]);
    expect((await call(t.url, 'GET', `/api/v1/synthesis/${r.json.id}`)).json).toEqual(r.json);
    const bad = await call(t.url, 'POST', '/api/v1/synthesis', {
      policyId: 1,
      requestedBy: 2,
      principleIds: [1, 99999999],
    });
    expect(bad.status).toBe(404);
    expect(bad.json.field).toBe('principleIds');
  });

  it('sessions: login caches session and token, lookup checks the token, logout revokes and deletes', async () => {
    const [u] = await q('SELECT id::int FROM users WHERE is_active ORDER BY id LIMIT 1');
    const l = await call(t.url, 'POST', '/api/v1/sessions', { userId: u.id });
    expect(l.status).toBe(201);
    expect(await s.redis.ttl(`${s.prefix}session:${l.json.sessionId}`)).toBeGreaterThan(1700);
    expect(await s.redis.ttl(`${s.prefix}token:${l.json.token}`)).toBeGreaterThan(3500);
    const g = await call(t.url, 'GET', `/api/v1/sessions/${l.json.sessionId}?token=${l.json.token}`);
    expect(g.json).toMatchObject({ id: l.json.sessionId, revoked: false, tokenValid: true });
    expect(g.headers.get('server-timing')).toContain('desc="exists"');
    const out = await call(t.url, 'DELETE', `/api/v1/sessions/${l.json.sessionId}`);
    expect(out.json).toEqual({ sessionId: l.json.sessionId, revoked: true, tokensRevoked: 1 });
    expect(await s.redis.exists(`${s.prefix}token:${l.json.token}`)).toBe(0);
    const g2 = await call(t.url, 'GET', `/api/v1/sessions/${l.json.sessionId}?token=${l.json.token}`);
    expect(g2.json).toMatchObject({ revoked: true, tokenValid: false });
    const [inactive] = await q('SELECT id::int FROM users WHERE NOT is_active LIMIT 1');
    if (inactive) expect((await call(t.url, 'POST', '/api/v1/sessions', { userId: inactive.id })).status).toBe(403);
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, string, unknown, number, string | undefined]> = [
    ['non-integer id', 'GET', '/api/v1/principles/abc', undefined, 400, 'id'],
    ['zero id', 'GET', '/api/v1/policies/0', undefined, 400, 'id'],
    ['unknown id', 'GET', '/api/v1/principles/99999999', undefined, 404, 'id'],
    ['unknown decision', 'GET', '/api/v1/decisions/99999999', undefined, 404, 'id'],
    ['unknown config key', 'GET', '/api/v1/config/no.such.key', undefined, 404, 'key'],
    ['bad choice', 'POST', '/api/v1/amendments/1/votes', { voterId: 1, choice: 'maybe' }, 400, 'choice'],
    ['missing voter', 'POST', '/api/v1/amendments/1/votes', { choice: 'for' }, 400, 'voterId'],
    ['unknown field', 'POST', '/api/v1/amendments/1/votes', { voterId: 1, choice: 'for', admin: true }, 400, 'admin'],
    ['unknown voter', 'POST', '/api/v1/amendments/1/votes', { voterId: 99999999, choice: 'for' }, 404, 'voterId'],
    ['unknown amendment', 'POST', '/api/v1/amendments/99999999/votes', { voterId: 1, choice: 'for' }, 404, 'id'],
    ['malformed JSON', 'POST', '/api/v1/decisions', '{"policyId": ', 400, 'body'],
    ['no body', 'POST', '/api/v1/decisions', undefined, 400, 'body'],
    [
      'bad principle list',
      'POST',
      '/api/v1/synthesis',
      { policyId: 1, requestedBy: 1, principleIds: [1, 'x'] },
      400,
      'principleIds.1',
    ],
    [
      'unknown policy',
      'POST',
      '/api/v1/decisions',
      { policyId: 99999999, subjectId: 1, action: 'a', resource: 'r' },
      404,
      'policyId',
    ],
    [
      'unknown subject',
      'POST',
      '/api/v1/decisions',
      { policyId: 1, subjectId: 99999999, action: 'a', resource: 'r' },
      404,
      'subjectId',
    ],
    ['bad date', 'GET', '/api/v1/audit?actorId=1&from=yesterday', undefined, 400, 'from'],
    ['forged cursor', 'GET', '/api/v1/audit?actorId=1&cursor=Zm9v', undefined, 400, 'cursor'],
    ['missing actor', 'GET', '/api/v1/audit', undefined, 400, 'actorId'],
    ['bad version', 'PUT', '/api/v1/policies/1', { expectedVersion: -1, updatedBy: 1 }, 400, 'expectedVersion'],
    ['id above 2^53', 'GET', '/api/v1/principles/99999999999999999999', undefined, 400, 'id'],
  ];
  for (const [name, method, path, body, status, field] of cases) {
    it(`${name}: ${status}${field ? ` naming ${field}` : ''}`, async () => {
      const r = await call(t.url, method, path, body);
      expect(r.status).toBe(status);
      expect(r.json.error).toBeTypeOf('string');
      if (field) expect(r.json.field).toBe(field);
      expect(r.text).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('oversize body: 413', async () => {
    const r = await call(t.url, 'POST', '/api/v1/decisions', {
      policyId: 1,
      subjectId: 1,
      action: 'a',
      resource: 'x'.repeat(100_000),
    });
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('payload_too_large');
  });

  it('unknown route: 404 JSON with the headers', async () => {
    const r = await call(t.url, 'GET', '/api/v2/nothing');
    expect(r.status).toBe(404);
    expect(r.json.error).toBe('not_found');
    expect(r.headers.get('x-cache')).toBe('BYPASS');
    expect(r.headers.get('server-timing')).toMatch(/app;dur=/);
  });
});

describe('contract and observability', () => {
  it('/openapi.json equals the committed api/openapi.json', async () => {
    const served = (await call(t.url, 'GET', '/openapi.json')).json;
    const committed = JSON.parse(readFileSync(new URL('../api/openapi.json', import.meta.url), 'utf8'));
    expect(served).toEqual(committed);
    expect(Object.keys(served.paths)).toContain('/api/v1/policies/{id}');
  });

  it('/metrics exposes every required series', async () => {
    const text = (await call(t.url, 'GET', '/metrics')).text;
    for (const name of [
      'acgs_http_request_duration_seconds_bucket',
      'acgs_db_query_duration_seconds_bucket',
      'acgs_cache_op_duration_seconds_bucket',
      'acgs_cache_lookups_total',
      'acgs_pool_acquire_wait_seconds_bucket',
      'acgs_pool_acquires_total',
      'acgs_pool_acquire_timeouts_total',
      'acgs_pool_acquire_outcomes_total{outcome="unqueued"}',
      'acgs_pool_acquire_outcomes_total{outcome="queued"}',
      'acgs_pool_acquire_outcomes_total{outcome="timeout"}',
      'acgs_pool_acquire_outcomes_total{outcome="error"}',
      'acgs_pool_connections{state="in_use"}',
      'acgs_pool_connections{state="idle"}',
      'acgs_pool_waiting',
      'acgs_pool_max',
      'acgs_pool_size',
      'acgs_pool_connections_created_total',
      'acgs_pool_connections_closed_total',
    ])
      expect(text, name).toContain(name);
    expect(metricValue(text, 'acgs_pool_max')).toBe(6);
    expect(metricValue(text, 'acgs_pool_size')).toBe(2);
    expect(text).toContain('acgs_cache_lookups_total{data_type="governanceRules",result="hit"}');
    expect(text).toContain('le="0.0001"');
  });

  it('/healthz reports both services and no defect', async () => {
    const r = await call(t.url, 'GET', '/healthz');
    expect(r.json).toMatchObject({ status: 'ok', postgres: { status: 'up' }, redis: { status: 'up' }, defects: {} });
    expect(t.defects).toEqual({});
  });
});
