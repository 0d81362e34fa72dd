/**
 * Malformed API payloads, property-based (fast-check) against every route of
 * the target's OpenAPI document: whatever arrives in the path, the query
 * string or the body, the answer is never a 5xx (the database and Redis are
 * up), always the JSON error shape of docs/api.md, a 400 names the offending
 * `field`, and no message carries a stack trace.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type RunningApi } from '../api/index.ts';
import { call, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';

let s: Seeded;
let t: RunningApi;
let paths: Record<string, Record<string, unknown>>;
beforeAll(async () => {
  s = await seeded('bad_input_api');
  t = await startApi({ config: targetConfig(s.prefix), databaseUrl: s.db.url, redisUrl: 'redis://127.0.0.1:6379' });
  paths = (await call(t.url, 'GET', '/openapi.json')).json.paths;
}, 120_000);
afterAll(async () => {
  await t?.close();
  await s?.cleanup();
});

/** Path parameters a client might send by mistake (or on purpose). */
const badSegment = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.integer({ min: -1e6, max: 0 }).map(String),
    fc.double({ noNaN: false }).map(String),
    fc.constantFrom(
      '1e309',
      '9007199254740993',
      '0x10',
      '%00',
      '..%2F..',
      '1;DROP TABLE policies',
      "1' OR '1'='1",
      ' 1',
      '١٢',
    ),
  )
  .map((v) => encodeURIComponent(v) || '%20');

/** Bodies: any JSON value, objects with wrong types, unknown or missing fields. */
const badBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(
    fc.constantFrom(
      'expectedVersion',
      'updatedBy',
      'voterId',
      'choice',
      'policyId',
      'subjectId',
      'action',
      'resource',
      'checkedBy',
      'requestedBy',
      'principleIds',
      'userId',
      'status',
      'name',
      'runId',
      'clientRequestId',
      'bogus',
    ),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 6 },
  ),
);
/** Query strings with unknown keys and nonsense values. */
const badQuery = fc.dictionary(
  fc.constantFrom('actorId', 'from', 'to', 'limit', 'cursor', 'token', 'evil'),
  fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('-1', '501', 'NaN', '2026-13-45', 'not-a-cursor')),
  { maxKeys: 3 },
);

function checkAnswer(r: { status: number; json: any; text: string }, what: string): void {
  expect(r.status, `${what} -> ${r.status} ${r.text.slice(0, 200)}`).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.json, `${what}: JSON error`).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    if (r.status === 400) expect(r.json.field, `${what}: 400 names the field (${r.text})`).toEqual(expect.any(String));
    expect(r.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  }
}

describe('every route survives malformed input', () => {
  it('covers the whole contract', () => {
    expect(Object.keys(paths).length).toBeGreaterThanOrEqual(18);
  });

  it('path parameters, query strings and bodies of the wrong shape', async () => {
    const routes = Object.entries(paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => ({ path: p, method: m.toUpperCase() })),
    );
    for (const route of routes) {
      await fc.assert(
        fc.asyncProperty(badSegment, badQuery, badBody, async (seg, query, body) => {
          const path = route.path.replace(/\{[^}]+\}/g, seg);
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          const url = path + (qs ? `?${qs}` : '');
          const withBody = route.method === 'POST' || route.method === 'PUT';
          const r = await call(t.url, route.method, url, withBody ? body : undefined);
          checkAnswer(r, `${route.method} ${url} ${withBody ? JSON.stringify(body).slice(0, 120) : ''}`);
        }),
        { numRuns: 60, seed: 9 },
      );
    }
  }, 120_000);

  it('bodies that are not JSON, or too large, name the body', async () => {
    for (const [text, type] of [
      ['{"voterId": 1,', 'application/json'],
      ['voterId=1', 'application/x-www-form-urlencoded'],
      ['x'.repeat(70 * 1024), 'application/json'],
      ['', 'application/json'],
    ]) {
      const r = await call(t.url, 'POST', '/api/v1/amendments/1/votes', text, { 'content-type': type });
      checkAnswer(r, `POST votes with ${type} ${text.slice(0, 20)}`);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
  });
});
