/** Table-driven tests of the target's pure parts. */
import { describe, expect, it } from 'vitest';
import { adaptiveTtlSeconds, HOT_READS, ReadFrequency, WINDOW_MS } from './adaptive-ttl.ts';
import { toApiError, validationField } from './errors-handler.ts';
import { conditionMatches, evaluate } from './evaluate.ts';
import { Defects } from './defects.ts';
import { loadConfig } from '../config/index.ts';
import { ApiError, fromPgError } from './http-errors.ts';
import { decodeCursor, encodeCursor } from './routes/audit.ts';
import { formatServerTiming, RequestTiming } from './timing.ts';

describe('adaptive TTL', () => {
  it.each([
    [0, 1800],
    [HOT_READS, 7200],
    [HOT_READS * 10, 7200],
  ])('%i reads of a 3600 s policy -> %i s', (reads, ttl) => {
    expect(adaptiveTtlSeconds(3600, reads, 0.5, 2)).toBe(ttl);
  });
  it('grows with reads and stays within bounds', () => {
    let last = 0;
    for (let r = 0; r <= HOT_READS; r++) {
      const t = adaptiveTtlSeconds(300, r, 0.5, 2);
      expect(t).toBeGreaterThanOrEqual(last);
      expect(t).toBeGreaterThanOrEqual(150);
      expect(t).toBeLessThanOrEqual(600);
      last = t;
    }
  });
  it('counts reads over the current and the previous window only', () => {
    let now = 0;
    const f = new ReadFrequency(() => now);
    for (let i = 0; i < 5; i++) f.record('k');
    now = WINDOW_MS;
    f.record('k');
    expect(f.reads('k')).toBe(6);
    now = 3 * WINDOW_MS;
    expect(f.reads('k')).toBe(0);
  });
});

describe('policy evaluation', () => {
  const req = { action: 'read', resource: 'document', role: 'delegate' };
  it.each([
    [{}, true],
    [{ action: 'read' }, true],
    [{ action: 'write' }, false],
    [{ action: '*', resource: 'document' }, true],
    [{ actions: ['write', 'read'] }, true],
    [{ resources: ['policy'] }, false],
    [{ resourcePrefix: 'doc' }, true],
    [{ minRole: 'citizen' }, true],
    [{ minRole: 'reviewer' }, false],
    [{ unknownKey: 1 }, true],
    [null, true],
  ])('condition %j matches: %s', (condition, expected) => {
    expect(conditionMatches(condition, req)).toBe(expected);
  });
  it('the first matching rule decides; no match -> default by enforcement level', () => {
    const rules = [
      { id: 1, name: 'a', condition: { action: 'write' }, effect: 'deny' },
      { id: 2, name: 'b', condition: { action: 'read' }, effect: 'require_review' },
      { id: 3, name: 'c', condition: {}, effect: 'allow' },
    ];
    expect(evaluate(rules, 'mandatory', req)).toMatchObject({ decision: 'require_review', evaluatedRules: 2 });
    expect(evaluate([rules[0]], 'advisory', req).decision).toBe('allow');
    expect(evaluate([rules[0]], 'critical', req).decision).toBe('deny');
  });
});

describe('errors', () => {
  it('names the field of a validation error', () => {
    expect(validationField([{ instancePath: '/principleIds/1' }], 'body')).toBe('principleIds.1');
    expect(validationField([{ instancePath: '', params: { missingProperty: 'voterId' } }], 'body')).toBe('voterId');
    expect(validationField([{ instancePath: '', params: { additionalProperty: 'x' } }], 'querystring')).toBe('x');
    expect(validationField([], 'body')).toBe('body');
  });
  it('maps PostgreSQL errors and hides everything else', () => {
    expect(fromPgError({ code: '23503', constraint: 'amendment_votes_voter_fk' })).toMatchObject({
      statusCode: 404,
      field: 'voterId',
    });
    expect(fromPgError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })).toMatchObject({ statusCode: 503 });
    expect(fromPgError({ code: '57014' })).toMatchObject({ statusCode: 503 });
    expect(fromPgError({ code: '22P02', message: 'bad' })).toMatchObject({ statusCode: 400 });
    expect(toApiError(new TypeError('x is undefined'))).toMatchObject({
      statusCode: 500,
      message: 'internal error (logged by the target)',
    });
    expect(toApiError(new ApiError(409, 'c', 'm'))).toMatchObject({ statusCode: 409 });
  });
});

describe('audit cursor', () => {
  it('round-trips and rejects what it did not issue', () => {
    const c = encodeCursor('2026-01-01 10:00:00.123456+00', 42);
    expect(decodeCursor(c)).toEqual({ occurredAt: '2026-01-01 10:00:00.123456+00', id: 42 });
    expect(() => decodeCursor(Buffer.from("x'; DROP TABLE audit_log;--|1").toString('base64url'))).toThrow(ApiError);
  });
});

describe('Server-Timing', () => {
  it('one entry per operation, repeated names allowed', () => {
    const t = new RequestTiming();
    t.add('cache', 0.2104, 'get-miss');
    t.add('db', 1.7, 'join');
    t.add('cache', 0.3, 'set');
    expect(formatServerTiming(t.entries)).toBe(
      'cache;dur=0.21;desc="get-miss", db;dur=1.7;desc="join", cache;dur=0.3;desc="set"',
    );
  });
  it('the header adds the total as app, after the operations', () => {
    const t = new RequestTiming();
    expect(t.header(0.12345)).toBe('app;dur=0.123;desc="total"');
    t.add('db', 2, 'write');
    t.add('cache', 0.0004, 'set-error');
    expect(t.header(3.5)).toBe('db;dur=2;desc="write", cache;dur=0;desc="set-error", app;dur=3.5;desc="total"');
    expect(t.header(3.5)).toBe(formatServerTiming([...t.entries, { name: 'app', dur: 3.5, desc: 'total' }]));
  });
  it('a MISS is not hidden by a later HIT', () => {
    const t = new RequestTiming();
    t.setCache('MISS');
    t.setCache('HIT');
    expect(t.cache).toBe('MISS');
  });
});

describe('defect switches', () => {
  const off = {
    skipInvalidationRate: 0,
    wrongVersionRate: 0,
    noTtlRate: 0,
    skipVoteCounterRate: 0,
    skipFillRate: 0,
    slowQueryType: null,
    slowQueryMs: 0,
    slowQueryFactor: 1,
    slowQueryTailRate: 0,
    slowQueryTailMs: 0,
  };
  it('off: never fire and report nothing', () => {
    const f = new Defects(off, () => {
      throw new Error('fired');
    });
    expect(f.fires('noTtl')).toBe(false);
    expect(f.queryDelayMs('aggregation')).toBe(0);
    expect(f.active()).toEqual({});
  });
  it('a rate fires that fraction of the time', () => {
    let i = 0;
    const seq = [0.05, 0.5, 0.95, 0.2];
    const f = new Defects(
      { ...off, noTtlRate: 0.25 },
      () => {},
      () => seq[i++ % seq.length],
    );
    expect([f.fires('noTtl'), f.fires('noTtl'), f.fires('noTtl'), f.fires('noTtl')]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(f.active()).toEqual({ noTtlRate: 0.25 });
  });
  it('slowQuery delays only its query type, and counts each delay', () => {
    const fired: string[] = [];
    const f = new Defects({ ...off, slowQueryType: 'aggregation', slowQueryMs: 20 }, (d) => fired.push(d));
    expect(['simple', 'aggregation', 'write', 'aggregation'].map((t) => f.queryDelayMs(t))).toEqual([0, 20, 0, 20]);
    expect(fired).toEqual(['slowQuery', 'slowQuery']);
    expect(f.active()).toEqual({ slowQuery: { type: 'aggregation', ms: 20 } });
  });
  it('config refuses one half of the slowQuery pair', () => {
    expect(() =>
      loadConfig({ profile: 'smoke', env: {}, flags: { api: { defects: { slowQueryType: 'join' } } } }),
    ).toThrow(/slowQueryType and slowQueryMs go together/);
  });
});
