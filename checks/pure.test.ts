/** Pure parts of the checkers: table-driven cases. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPrecisionLoss, deepEqual, checkColumn, encodeRow } from './encoding.ts';
import { nines, formatNines } from './nines.ts';
import { Tally } from './_tally.ts';
import { keyMatcher, ttlViolation, decodeEnvelope } from './cache-classify.ts';
import { builtinDescription, loadDescription } from './description.ts';
import { formatChecksTable } from './format.ts';
import { globEscape } from './cache-read.ts';
import { parseCheckerNames } from './run-checks.ts';
import { isAcgsError } from '../config/index.ts';
import { TABLES } from '../schema/description.ts';

describe('isPrecisionLoss', () => {
  it.each([
    ['12.345', '12.35', true], // rounded
    ['12.345', '12.34', true], // truncated
    ['12.345', '12.3', true],
    ['1.500', '1.5', true], // trailing zeros dropped
    ['1.500', '1.50000', true], // padded
    ['12.345', '12.346', false], // another value
    ['12.345', '13', false],
    ['-0.005', '-0.01', true],
    ['100.000', '100', true],
  ])('%s cached as %s -> %s', (exact, cached, loss) => {
    expect(isPrecisionLoss(exact, cached)).toBe(loss);
  });
});

describe('checkColumn', () => {
  const principles = TABLES.find((t) => t.name === 'principles')!;
  const row = encodeRow(principles, {
    id: '1',
    code: 'P',
    title: 't',
    body: 'b',
    category: 'c',
    priority: '1',
    weight: '1.500',
    is_active: true,
    created_at: '2026-01-01T10:00:00.123456',
    updated_at: '2026-01-01T10:00:00.000000',
    version: '1',
  });
  it('accepts the rounded millisecond when the microseconds round up', () => {
    const r = encodeRow(principles, { ...row.encoded, created_at: '2026-01-01T10:00:00.123500', updated_at: null });
    expect(checkColumn('timestamptz', '2026-01-01T10:00:00.124Z', r, 'created_at', true).ok).toBe(true);
    expect(checkColumn('timestamptz', '2026-01-01T10:00:00.123Z', r, 'created_at', true).ok).toBe(true);
    expect(checkColumn('timestamptz', '2026-01-01T10:00:00.125Z', r, 'created_at', true)).toEqual({
      ok: false,
      typeIssue: 'timestamp_instant',
    });
  });
  it('encodes the row per docs/cache-keys.md', () => {
    expect(row.encoded).toMatchObject({
      id: 1,
      weight: '1.500',
      created_at: '2026-01-01T10:00:00.123Z',
      is_active: true,
      version: 1,
    });
  });
  it.each([
    ['created_at', '2026-01-01T10:00:00.123Z', true], // truncated
    ['created_at', '2026-01-01T10:00:00.124Z', false], // rounding .123456 gives .123 too
    ['updated_at', '2026-01-01T10:00:00.001Z', false],
    ['weight', '1.500', true],
  ])('%s = %s ok: %s', (col, cached, ok) => {
    expect(checkColumn(principles.columns[col].type, cached, row, col, true).ok).toBe(ok);
  });
});

describe('nines (Polaris style)', () => {
  it.each([
    [999, 1000, 3, false],
    [990, 1000, 2, false],
    [1000, 1000, 2.52, true], // rule of three: log10(1000/3), not log10(1000)
    [30, 30, 1, true],
    [3_000_000, 3_000_000, 6, true],
    [3, 3, 0, true], // a bound of 3/3 on the violation rate says nothing
    [1, 1, 0, true],
    [5, 6, 0.78, false],
  ])('%i of %i -> %f nines (capped %s)', (c, n, expected, capped) => {
    expect(nines(c, n)).toEqual({ nines: expected, capped });
  });
  it('broken on purpose: a clean sample of n claims the 95 % bound 3/n, never 1/n', () => {
    for (const n of [10, 100, 1000, 12345, 10 ** 6]) {
      const clean = nines(n, n)!;
      expect(clean.capped).toBe(true);
      // 3/n is the rate (1 - p)^n = 0.05 allows; log10(n) would claim 1/n.
      expect(clean.nines).toBeCloseTo(Math.log10(n / 3), 2);
      expect(clean.nines).toBeLessThan(Math.log10(n));
      expect((1 - 3 / n) ** n).toBeCloseTo(0.05, 1);
    }
  });
  it('formats', () => {
    expect(formatNines(nines(1000, 1000))).toBe('≥ 2.52 nines');
    expect(formatNines(nines(0, 0))).toBe('n/a');
  });
});

describe('a checker that checked nothing', () => {
  it('broken on purpose: 0 items checked scores null with a reason, not 100 %', () => {
    const t = new Tally(5);
    const r = t.result('referential-integrity', performance.now());
    expect(r.checked).toBe(0);
    expect(r.score).toBeNull();
    expect(r.noData).toBe('0 items checked');
    // Something checked and clean: measured, 100 %.
    t.checked = 4;
    expect(t.result('referential-integrity', performance.now())).toMatchObject({ score: 1 });
    expect(t.result('referential-integrity', performance.now()).noData).toBeUndefined();
  });
  it('an input missing makes it NO DATA however much was checked', () => {
    const t = new Tally(5);
    t.checked = 10;
    t.unmeasured.push('acknowledged writes unknown: metrics stream a.ndjson missing');
    expect(t.result('concurrent-access', performance.now())).toMatchObject({
      score: null,
      noData: 'acknowledged writes unknown: metrics stream a.ndjson missing',
    });
  });
  it('prints NO DATA and n/a in the checks table, and a NO DATA result line', () => {
    const text = formatChecksTable({
      ok: true,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
      checkers: [new Tally(5).result('transaction-isolation', performance.now())].map((c) => ({ ...c, durationMs: 1 })),
    });
    expect(text).toMatch(/\| Transaction Isolation \|\s+0 \|\s+0 \|\s+n\/a \|\s+NO DATA \|/);
    expect(text).toContain('NO DATA (transaction-isolation): 0 items checked');
    expect(text).toContain('Result: NO DATA (transaction-isolation not measured; no data is not a pass)');
    expect(text).not.toContain('Result: consistent');
  });
});

describe('keyMatcher', () => {
  const m = keyMatcher({ ...builtinDescription(), ignoreKeys: ['meta:*'] }, 'acgs:');
  it.each([
    ['acgs:principle:7', 'principle:{id}', '7'],
    ['acgs:api:compliance-report:3', 'api:compliance-report:{id}', '3'],
    ['acgs:compliance:3', 'compliance:{id}', '3'],
    ['acgs:config:feature.flags', 'config:{id}', 'feature.flags'],
    ['acgs:session:ab:cd', 'session:{id}', 'ab:cd'],
  ])('%s -> %s', (key, pattern, id) => {
    expect(m(key)).toMatchObject({ family: { pattern }, id });
  });
  it('unknown and ignored keys', () => {
    expect(m('acgs:principle:x')).toBeNull();
    expect(m('acgs:principle:')).toBeNull();
    expect(m('acgs:nope')).toBeNull();
    expect(m('acgs:meta:owner')).toBe('ignored');
  });
});

describe('ttlViolation', () => {
  it.each([
    [-1, null, 'no_ttl'],
    [-2, null, null],
    [300_000, null, null],
    [300_001, null, 'ttl_above_policy'],
    [600_000, { enabled: true, minFactor: 0.5, maxFactor: 2 }, null],
    [600_001, { enabled: true, minFactor: 0.5, maxFactor: 2 }, 'ttl_above_policy'],
  ])('pttl %i on 300 s -> %s', (pttl, adaptive, expected) => {
    expect(ttlViolation(pttl, 300, adaptive ?? undefined)).toBe(expected);
  });
});

describe('decodeEnvelope and helpers', () => {
  it('accepts the envelopes and rejects the rest', () => {
    expect(decodeEnvelope('{"v":1,"row":{},"cachedAt":"x"}', 'entity')).not.toBeNull();
    expect(decodeEnvelope('{"v":1,"data":{"a":1},"cachedAt":"x"}', 'derived')).not.toBeNull();
    expect(decodeEnvelope('{"v":1,"data":{},"cachedAt":"x"}', 'entity')).toBeNull();
    expect(decodeEnvelope('{"v":"1","row":{},"cachedAt":"x"}', 'entity')).toBeNull();
    expect(decodeEnvelope('[1]', 'entity')).toBeNull();
    expect(decodeEnvelope('{', 'entity')).toBeNull();
  });
  it('deepEqual ignores key order', () => {
    expect(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
  });
  it('globEscape keeps a prefix literal in SCAN MATCH', () => {
    expect(globEscape('a*b?[c]\\:')).toBe('a\\*b\\?\\[c\\]\\\\:');
  });
  it('parseCheckerNames names the allowed checkers', () => {
    expect(parseCheckerNames(['data-types', 'data-types'])).toEqual(['data-types']);
    try {
      parseCheckerNames(['cache-sync']);
      expect.unreachable();
    } catch (e) {
      expect(isAcgsError(e) && e.kind).toBe('BAD_FLAG');
      expect((e as Error).message).toBe(
        "--only 'cache-sync' is not a checker; choose from cache-db-sync, referential-integrity, transaction-isolation, data-types, concurrent-access",
      );
    }
  });
});

describe('loadDescription', () => {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-desc-'));
  const file = (name: string, body: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, typeof body === 'string' ? body : JSON.stringify(body));
    return f;
  };
  it('round-trips the built-in description', async () => {
    const d = builtinDescription();
    expect(await loadDescription(file('ok.json', d))).toEqual(d);
  });
  it('reports every problem at once', async () => {
    const d = builtinDescription();
    const bad = {
      ...d,
      cacheFamilies: [
        ...d.cacheFamilies,
        { pattern: 'x:{id}', dataType: 'nope', kind: 'entity', table: 'ghosts', keyColumn: 'id' },
      ],
      ackKinds: { vote: 'nowhere' },
      extra: 1,
    };
    try {
      await loadDescription(file('bad.json', bad));
      expect.unreachable();
    } catch (e) {
      expect(isAcgsError(e) && e.kind).toBe('BAD_CONFIG');
      const details = (e as { details: string[] }).details.join('\n');
      expect(details).toMatch(/unrecognized key|extra/i);
      expect(details).toMatch(/cacheFamilies\.10\.dataType/);
    }
  });
  it('rejects unknown tables referenced by families', async () => {
    const d = builtinDescription();
    const bad = {
      ...d,
      cacheFamilies: [
        { pattern: 'x:{id}', dataType: 'apiResponses', kind: 'entity', table: 'ghosts', keyColumn: 'id' },
      ],
      ackKinds: { vote: 'nowhere' },
    };
    await expect(loadDescription(file('bad2.json', bad))).rejects.toSatisfy(
      (e) =>
        isAcgsError(e) &&
        e.details.some((x) => /table 'ghosts' is not in tables/.test(x)) &&
        e.details.some((x) => /table 'nowhere'/.test(x)),
    );
  });
  it('missing file and broken JSON', async () => {
    await expect(loadDescription(join(dir, 'none.json'))).rejects.toSatisfy(
      (e) => isAcgsError(e) && /cannot be read: ENOENT/.test(e.message),
    );
    await expect(loadDescription(file('broken.json', '{'))).rejects.toSatisfy(
      (e) => isAcgsError(e) && /not valid JSON/.test(e.message),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
});

describe('formatChecksTable', () => {
  it('prints real counts, failing kinds, nines and the verdict', () => {
    const text = formatChecksTable({
      ok: false,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 10,
      checkers: [
        {
          name: 'cache-db-sync',
          checked: 1000,
          violations: { stale: 1 },
          score: 0.999,
          examples: { stale: [{ key: 'acgs:principle:1' }] },
          durationMs: 5,
          notes: [],
          extra: {
            strict: { violations: { stale: 3 } },
            byDataType: { governanceRules: { summary: '3.00 nines consistent within 2 s (strict: 2.52 nines)' } },
          },
        },
        {
          name: 'referential-integrity',
          checked: 50,
          violations: {},
          score: 1,
          examples: {},
          durationMs: 3,
          notes: [],
        },
      ],
    });
    expect(text).toContain('| Cache-DB Sync         |    1000 |          1 | 99.90 % |   FAIL |     5 ms |');
    expect(text).toContain('| Referential Integrity |      50 |          0 |   100 % |   PASS |     3 ms |');
    expect(text).toContain('cache-db-sync: stale 1 e.g. {"key":"acgs:principle:1"}');
    expect(text).toContain('strict (before grace): stale 3');
    expect(text).toContain('governanceRules: 3.00 nines consistent within 2 s');
    expect(text).toContain('INCONSISTENT');
  });
});
