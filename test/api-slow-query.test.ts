/**
 * The slowdowns on purpose (api/defects.ts): a fixed delay, a relative one
 * (slowQueryFactor: each query of the type takes factor times what it ran)
 * and a tail-only one (slowQueryTailRate of the type's queries take
 * slowQueryTailMs longer). The decisions are pure and tested with a chosen
 * random sequence; the config and the flags refuse half-given pairs; the hold
 * itself is checked on the real PostgreSQL (a lower bound: a hold can only be
 * longer than asked on a busy machine, never shorter) and on a live API
 * (counted in acgs_defect_injected_total, shown in /healthz).
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { startApi } from '../api/index.ts';
import { Database } from '../api/db.ts';
import { Defects } from '../api/defects.ts';
import { RequestTiming } from '../api/timing.ts';
import { flagsToConfig } from '../cli/commands/api.ts';
import { call, metricValue, seeded, targetConfig, type Seeded } from './helpers/api-fixture.ts';
import { REDIS_URL } from './helpers/services.ts';

const off = loadConfig({ env: {}, flags: {} }).api.defects;
const slowCfg = (over: Partial<typeof off>) => ({ ...off, ...over });

describe('slowdown decisions', () => {
  it('off: no hook needed, no delay, nothing fired, nothing shown', () => {
    const f = new Defects(off, () => {
      throw new Error('fired');
    });
    expect(f.slowsQueries()).toBe(false);
    expect(f.queryDelayMs('aggregation', 10)).toBe(0);
    expect(f.active()).toEqual({});
  });

  it('factor 1.2: (factor − 1) × the time the query ran, its type only, each counted', () => {
    const fired: string[] = [];
    const f = new Defects(slowCfg({ slowQueryType: 'join', slowQueryFactor: 1.2 }), (d) => fired.push(d));
    expect(f.slowsQueries()).toBe(true);
    expect(f.queryDelayMs('join', 10)).toBeCloseTo(2, 10);
    expect(f.queryDelayMs('join', 2.5)).toBeCloseTo(0.5, 10);
    expect(f.queryDelayMs('aggregation', 10)).toBe(0);
    expect(f.queryDelayMs('write', 10)).toBe(0);
    expect(fired).toEqual(['slowQueryFactor', 'slowQueryFactor']);
    expect(f.active()).toEqual({ slowQueryFactor: { type: 'join', factor: 1.2 } });
  });

  it('tail: only the draws below the rate are delayed, by the tail delay, each counted', () => {
    const draws = [0.5, 0.01, 0.99, 0.019, 0.02, 0.3];
    let i = 0;
    const fired: string[] = [];
    const f = new Defects(
      slowCfg({ slowQueryType: 'aggregation', slowQueryTailRate: 0.02, slowQueryTailMs: 40 }),
      (d) => fired.push(d),
      () => draws[i++],
    );
    expect(draws.map(() => f.queryDelayMs('aggregation', 3))).toEqual([0, 40, 0, 40, 0, 0]);
    expect(fired).toEqual(['slowQueryTail', 'slowQueryTail']);
    // another type never draws (its queries do not use up the sequence)
    expect(f.queryDelayMs('simple', 3)).toBe(0);
    expect(i).toBe(draws.length);
    expect(f.active()).toEqual({ slowQueryTail: { type: 'aggregation', rate: 0.02, ms: 40 } });
  });

  it('fixed, factor and tail on one type add up, each counted under its own name', () => {
    const fired: string[] = [];
    const f = new Defects(
      slowCfg({
        slowQueryType: 'complex',
        slowQueryMs: 5,
        slowQueryFactor: 2,
        slowQueryTailRate: 1,
        slowQueryTailMs: 100,
      }),
      (d) => fired.push(d),
      () => 0.999,
    );
    expect(f.queryDelayMs('complex', 3)).toBe(5 + 3 + 100);
    expect(fired).toEqual(['slowQuery', 'slowQueryFactor', 'slowQueryTail']);
  });
});

describe('slowdown config and flags', () => {
  const load = (defects: Record<string, unknown>) => () =>
    loadConfig({ profile: 'smoke', env: {}, flags: { api: { defects } } });

  it.each([
    [{ slowQueryFactor: 1.2 }, /slowQueryType and slowQueryMs go together/],
    [{ slowQueryTailRate: 0.02, slowQueryTailMs: 30 }, /slowQueryType and slowQueryMs go together/],
    [{ slowQueryType: 'join', slowQueryTailRate: 0.02 }, /slowQueryTailRate and slowQueryTailMs go together/],
    [{ slowQueryType: 'join', slowQueryTailMs: 30 }, /slowQueryTailRate and slowQueryTailMs go together/],
    [{ slowQueryType: 'join', slowQueryFactor: 0.8 }, /slowQueryFactor/],
    [{ slowQueryType: 'join', slowQueryTailRate: 1.5, slowQueryTailMs: 30 }, /slowQueryTailRate/],
  ])('refuses %j', (defects, message) => {
    expect(load(defects)).toThrow(message);
  });

  it('accepts a type with a factor alone, or with a tail pair alone', () => {
    expect(load({ slowQueryType: 'join', slowQueryFactor: 1.2 })().api.defects.slowQueryFactor).toBe(1.2);
    const d = load({ slowQueryType: 'join', slowQueryTailRate: 0.02, slowQueryTailMs: 30 })().api.defects;
    expect([d.slowQueryTailRate, d.slowQueryTailMs]).toEqual([0.02, 30]);
  });

  const flags = (o: Record<string, string>) =>
    (flagsToConfig({ warm: true, ...o }) as { api: { defects: Record<string, unknown> } }).api.defects;

  it('--defect-slow-query TYPE=+N% is the factor, TYPE=DELAY the fixed delay', () => {
    expect(flags({ defectSlowQuery: 'aggregation=+20%' })).toMatchObject({
      slowQueryType: 'aggregation',
      slowQueryFactor: 1.2,
    });
    expect(flags({ defectSlowQuery: 'join=15ms' })).toMatchObject({ slowQueryType: 'join', slowQueryMs: 15 });
  });

  it('--defect-slow-query-tail TYPE=RATE:DELAY is the tail pair', () => {
    expect(flags({ defectSlowQueryTail: 'aggregation=0.02:30ms' })).toMatchObject({
      slowQueryType: 'aggregation',
      slowQueryTailRate: 0.02,
      slowQueryTailMs: 30,
    });
  });

  it.each([
    [{ defectSlowQuery: 'aggregation=+0%' }, /--defect-slow-query 'aggregation=\+0%'/],
    [{ defectSlowQuery: 'aggregation=20%' }, /is not TYPE=DELAY or TYPE=\+PERCENT%/],
    [{ defectSlowQuery: 'joins=+20%' }, /is not TYPE=DELAY/],
    [
      { defectSlowQueryTail: 'aggregation=2:30ms' },
      /--defect-slow-query-tail 'aggregation=2:30ms' is not TYPE=RATE:DELAY/,
    ],
    [{ defectSlowQueryTail: 'aggregation=0.02' }, /is not TYPE=RATE:DELAY/],
    [{ defectSlowQueryTail: 'aggregation=:30ms' }, /is not TYPE=RATE:DELAY/],
    [{ defectSlowQuery: 'join=+20%', defectSlowQueryTail: 'aggregation=0.02:30ms' }, /share one query type/],
  ])('refuses flags %j', (o, message) => {
    expect(() => flags(o)).toThrow(message);
  });

  it('through the CLI: one line naming the flag and the fix, non-zero exit, no stack trace', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/acgs-load.js', 'api', '--defect-slow-query-tail', 'aggregation=2:30ms'],
      {
        encoding: 'utf8',
        env: { ...process.env, BASE_URL: '' },
      },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("--defect-slow-query-tail 'aggregation=2:30ms' is not TYPE=RATE:DELAY");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the hold, on the real PostgreSQL', () => {
  let s: Seeded;
  beforeAll(async () => {
    s = await seeded('api_slow_query');
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  it('a query is held (factor − 1) × its own time more, inside its timed window', async () => {
    const db = new Database(s.db.url, targetConfig(s.prefix).pool);
    const ran: number[] = [];
    db.slowDown((type, elapsedMs) => {
      ran.push(elapsedMs);
      return type === 'aggregation' ? 2 * elapsedMs : 0;
    });
    try {
      const timing = new RequestTiming();
      await db.query(timing, 'aggregation', 'SELECT pg_sleep(0.005)');
      await db.query(timing, 'simple', 'SELECT 1');
      expect(ran[0]).toBeGreaterThanOrEqual(5);
      // the timed window holds the query and its hold: at least 3 × what it ran
      expect(timing.entries[0].dur).toBeGreaterThanOrEqual(3 * ran[0]);
      expect(timing.entries[1].desc).toBe('simple');
    } finally {
      await db.close();
    }
  });

  it('a live API: the tail delay is in Server-Timing, counted, and shown in /healthz', async () => {
    const t = await startApi({
      config: targetConfig(s.prefix, {
        api: { defects: { slowQueryType: 'aggregation', slowQueryTailRate: 1, slowQueryTailMs: 50 } },
      }),
      databaseUrl: s.db.url,
      redisUrl: REDIS_URL,
    });
    try {
      const shown = { slowQueryTail: { type: 'aggregation', rate: 1, ms: 50 } };
      expect(t.defects).toEqual(shown);
      expect((await call(t.url, 'GET', '/healthz')).json.defects).toEqual(shown);
      const r = await call(t.url, 'GET', '/api/v1/stats/principles-by-category');
      expect(r.status).toBe(200);
      const agg = /db;dur=([\d.]+);desc="aggregation"/.exec(r.headers.get('server-timing') ?? '');
      expect(Number(agg?.[1])).toBeGreaterThanOrEqual(50);
      await call(t.url, 'GET', '/api/v1/principles/3'); // a simple read: not slowed, not counted
      const m = (await call(t.url, 'GET', '/metrics')).text;
      expect(metricValue(m, 'acgs_defect_injected_total{defect="slowQueryTail"}')).toBe(1);
      expect(m).not.toContain('defect="slowQueryFactor"');
    } finally {
      await t.close();
    }
  });
});
