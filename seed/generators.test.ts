/** Pure generator properties: determinism, column lists, COPY escaping, hashing. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildContext, GENERATOR_VERSION } from './context.ts';
import { copyEscape, fixed } from './copy-text.ts';
import { GENERATORS } from './generators/index.ts';
import { cellHash, coprimeStride } from './hash.ts';
import { TABLES } from '../schema/description.ts';
import { allocate, locate, zipfPick } from './zipf.ts';

function sample(seed: number, scale: number): string[] {
  const ctx = buildContext(seed, scale);
  return GENERATORS.flatMap((g) => {
    const row = g.prepare(ctx);
    const n = g.count(ctx);
    return [0, 1, Math.floor(n / 2), n - 1].map((i) => `${g.table}|${row(i)}`);
  });
}

describe('generators', () => {
  it('emit every column of every table, in the COPY column order', () => {
    expect(GENERATORS.map((g) => g.table).sort()).toEqual(TABLES.map((t) => t.name).sort());
    const ctx = buildContext(1, 0.05);
    for (const g of GENERATORS) {
      const t = TABLES.find((x) => x.name === g.table)!;
      expect([...g.columns].sort(), g.table).toEqual(Object.keys(t.columns).sort());
      expect(g.prepare(ctx)(0).split('\t'), g.table).toHaveLength(g.columns.length);
    }
  });

  it('are pure: same seed and scale give the same rows, another seed other rows', () => {
    expect(sample(42, 0.05)).toEqual(sample(42, 0.05));
    const other = sample(43, 0.05);
    const same = sample(42, 0.05).filter((line, i) => line === other[i]);
    // only static_config keys and a few tiny-table rows may coincide
    expect(same.length).toBeLessThan(10);
  });

  it('give a row the same value whatever order rows are generated in', () => {
    const ctx = buildContext(5, 0.05);
    for (const g of GENERATORS) {
      const row = g.prepare(ctx);
      const n = g.count(ctx);
      const forward = Array.from({ length: n }, (_, i) => row(i));
      const backward = Array.from({ length: n }, (_, i) => row(n - 1 - i)).reverse();
      expect(backward, g.table).toEqual(forward);
    }
  });
});

/**
 * sha1 (first 12 hex digits) of every row of (seed 7, scale 0.05), one line
 * each, as generator version 2 produced them. A stored fingerprint promises
 * these bytes: a change here must bump GENERATOR_VERSION (and these sums).
 */
const VERSION_2_ROWS: Record<string, string> = {
  users: '56f602e15ff6',
  user_sessions: '1df30f3956ef',
  auth_tokens: '0e8fad325c9a',
  principles: '76fa3b87cfcd',
  policy_templates: '135f81a319d0',
  policies: 'b63f2be36334',
  policy_updates: '525c6155cfe4',
  policy_principles: 'd3077dda8453',
  policy_rules: '64a43e20fbc4',
  amendments: 'f9f42bdf5940',
  amendment_votes: 'ac4af29bc744',
  amendment_comments: '814a56060905',
  policy_decisions: 'be1931e59c03',
  compliance_checks: '6876a34ea33a',
  synthesis_results: '975b0d54ae63',
  audit_log: '5b16c7242605',
  static_config: '13630df14df3',
};

function rowSums(seed: number, scale: number): Record<string, string> {
  const ctx = buildContext(seed, scale);
  return Object.fromEntries(
    GENERATORS.map((g) => {
      const h = createHash('sha1');
      const row = g.prepare(ctx);
      for (let i = 0, n = g.count(ctx); i < n; i++) h.update(row(i) + '\n');
      return [g.table, h.digest('hex').slice(0, 12)];
    }),
  );
}

describe('generator version', () => {
  it('gives the bytes its fingerprint promises', () => {
    expect(GENERATOR_VERSION).toBe(2);
    expect(rowSums(7, 0.05)).toEqual(VERSION_2_ROWS);
  });

  it('notices a changed byte (the sums are not vacuous)', () => {
    const other = rowSums(8, 0.05);
    for (const t of Object.keys(VERSION_2_ROWS)) expect(other[t], t).not.toBe(VERSION_2_ROWS[t]);
  });
});

describe('hashing', () => {
  it('derives each column from its own name, so a new column shifts nothing', () => {
    const a = cellHash(42, 'users', 'email');
    const before = [0, 1, 2, 1000].map((i) => a(i));
    cellHash(42, 'users', 'new_column'); // a new column's hash exists independently
    expect([0, 1, 2, 1000].map((i) => cellHash(42, 'users', 'email')(i))).toEqual(before);
    expect(cellHash(42, 'users', 'role')(7)).not.toBe(a(7));
  });

  it('strides coprime to n visit n distinct values', () => {
    for (const n of [1, 2, 10, 97, 100, 2000]) {
      const s = coprimeStride(123456789, n);
      const seen = new Set(Array.from({ length: n }, (_, k) => (3 + k * s) % n));
      expect(seen.size).toBe(n);
    }
  });

  it('zipf picks favour low ids and stay in range', () => {
    const h = cellHash(1, 't', 'c');
    const counts = new Array(101).fill(0);
    for (let i = 0; i < 20000; i++) counts[zipfPick(h(i), 100)]++;
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeGreaterThan(counts[10] * 3);
    expect(counts[1] + counts[2] + counts[3]).toBeGreaterThan(20000 * 0.25);
  });

  it('allocations locate every child in its parent', () => {
    const a = allocate(50, 500, cellHash(1, 'a', 'b'), { cap: 30 });
    let i = 0;
    for (let p = 1; p <= 50; p++) {
      expect(a.counts[p - 1]).toBeLessThanOrEqual(30);
      for (let k = 0; k < a.counts[p - 1]; k++, i++) expect(locate(a, i)).toEqual({ parent: p, k });
    }
    expect(i).toBe(a.total);
  });
});

describe('COPY text', () => {
  it.each([
    ['plain', 'plain'],
    ['tab\there', 'tab\\there'],
    ['line\nbreak\r', 'line\\nbreak\\r'],
    ['back\\slash', 'back\\\\slash'],
  ])('escapes %j', (input, out) => expect(copyEscape(input)).toBe(out));

  it.each([
    [12500, 3, '12.500'],
    [5, 2, '0.05'],
    [0, 2, '0.00'],
    [-1234, 2, '-12.34'],
    [7, 0, '7'],
  ])('formats fixed(%i, %i) as PostgreSQL numeric text', (units, scale, text) =>
    expect(fixed(units, scale)).toBe(text),
  );
});

describe('isoTime', () => {
  it('formats exactly like Date#toISOString', async () => {
    const { isoTime } = await import('./copy-text.ts');
    for (const ms of [
      0,
      1,
      999,
      86_399_999,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2035, 11, 31, 12, 0, 0, 5),
      1_700_000_000_123,
    ]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
