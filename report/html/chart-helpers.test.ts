import { describe, expect, it } from 'vitest';
import type { Figure } from '../figure.ts';
import { clock, niceTicks, timeTicks, TIME_STEPS } from './axes.ts';
import { fmtMs, fmtNumber, fmtRatio, formatReason, shortenFloats, sig } from './format.ts';
import { pathData, splitAtGaps, type XY } from './paths.ts';

describe('time axis ticks', () => {
  it.each([
    // [span start, span end, expected step, expected first and last tick]
    [0, 20, 5, 0, 20],
    [0, 61, 10, 0, 60],
    [0, 100, 15, 0, 90],
    [0, 180, 30, 0, 180],
    [0, 300, 60, 0, 300],
    [0, 900, 300, 0, 900],
    [0, 3600, 600, 0, 3600],
    [0, 4 * 3600, 3600, 0, 4 * 3600],
    [0, 86400, 21600, 0, 86400],
    [12.5, 47, 5, 15, 45],
    [0, 3, 1, 0, 3],
  ])('%s..%s s: a step of %s s from %s to %s', (lo, hi, step, first, last) => {
    const t = timeTicks(lo, hi);
    expect(t.step).toBe(step);
    expect(t.ticks[0]).toBe(first);
    expect(t.ticks.at(-1)).toBe(last);
    expect(t.ticks.length).toBeLessThanOrEqual(8);
    for (const v of t.ticks) expect(v % step).toBe(0);
    expect(TIME_STEPS).toContain(step);
  });

  it('a zero or invalid span gives one tick, not an endless loop', () => {
    expect(timeTicks(5, 5).ticks).toEqual([5]);
    expect(timeTicks(NaN, 10).ticks).toHaveLength(1);
  });

  it.each([
    [0, false, '0:00'],
    [5, false, '0:05'],
    [30, false, '0:30'],
    [60, false, '1:00'],
    [150, false, '2:30'],
    [3599.6, false, '1:00:00'],
    [3900, false, '1:05:00'],
    [600, true, '0:10:00'],
    [-5, false, '-0:05'],
  ])('clock(%s, hours %s) = %s', (s, hours, text) => {
    expect(clock(s, hours)).toBe(text);
  });

  it.each([
    [0, 7.3, [0, 2, 4, 6, 8]],
    [0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0, 112, [0, 25, 50, 75, 100, 125]],
    [0, 0.838, [0, 0.2, 0.4, 0.6, 0.8, 1]],
  ])('value axis %s..%s ticks at round values %j', (lo, hi, ticks) => {
    expect(niceTicks(lo, hi, 5)).toEqual(ticks);
  });

  it.each([
    [0, 2.08, [0, 1, 2, 3]],
    [0, 3, [0, 1, 2, 3]],
    [0, 104, [0, 25, 50, 75, 100, 125]],
  ])('whole-number axis %s..%s ticks at %j (no half VU)', (lo, hi, ticks) => {
    expect(niceTicks(lo, hi, 5, 1)).toEqual(ticks);
  });
});

describe('line paths', () => {
  const pts = (xs: Array<number | [number, number | null]>): XY[] =>
    xs.map((v) => (Array.isArray(v) ? v : [v, v * 10]));

  it.each<[string, XY[], number, number[]]>([
    ['evenly spaced: one piece', pts([0, 1, 2, 3]), 2, [4]],
    ['one empty bucket is bridged (a step of 2 intervals)', pts([0, 1, 3, 4]), 2, [4]],
    ['two empty buckets are a gap', pts([0, 1, 4, 5]), 2, [2, 2]],
    ['a null value is a gap', pts([0, 1, [2, null], 3, 4]), 2, [2, 2]],
    ['a lone point between gaps is its own piece', pts([0, 1, 5, 9, 10]), 2, [2, 1, 2]],
    ['no maxGap: only nulls break', pts([0, 1, 40, 41]), Infinity, [4]],
    ['NaN breaks like null', pts([0, [1, NaN], 2]), 2, [1, 1]],
    ['nothing to draw', pts([[0, null]]), 2, []],
  ])('%s', (_, points, maxGap, sizes) => {
    expect(splitAtGaps(points, maxGap).map((p) => p.length)).toEqual(sizes);
  });

  it('draws one subpath per piece, a lone point as a dot', () => {
    const d = pathData(
      splitAtGaps(pts([0, 1, 5, 9, 10]), 2),
      (v) => v * 2,
      (v) => 100 - v,
    );
    expect(d).toBe('M0 100L2 90M10 50h0M18 10L20 0');
    expect(d.match(/M/g)).toHaveLength(3);
  });
});

describe('numbers in labels', () => {
  it.each([
    [0.8269230769230769, '82.7 %'],
    [0.75, '75 %'],
    [1, '100 %'],
    [0, '0 %'],
    [0.9995, '99.95 %'],
    [0.99999, '99.99 %'],
    [0.0012, '0.12 %'],
    [0.2, '20 %'],
  ])('ratio %s -> %s', (v, text) => expect(fmtRatio(v)).toBe(text));

  it.each([
    [0, '0 ms'],
    [0.4031234, '0.403 ms'],
    [12.3456, '12.3 ms'],
    [50, '50 ms'],
    [123.4, '123 ms'],
    [1500, '1.5 s'],
    [1234.5678, '1.23 s'],
  ])('ms %s -> %s', (v, text) => expect(fmtMs(v)).toBe(text));

  it.each([
    [0, '0'],
    [12.3456, '12.3'],
    [450.4, '450'],
    [12345, '12.3k'],
    [2_500_000, '2.5M'],
    [0.333333, '0.333'],
  ])('number %s -> %s', (v, text) => expect(fmtNumber(v)).toBe(text));

  it.each([
    [1 / 3, 3, '0.333'],
    [2 / 3, 2, '0.67'],
    [1e-9, 3, '0'],
    [123456, 3, '123000'],
  ])('sig(%s, %s) = %s', (v, d, text) => expect(sig(v, d)).toBe(text));

  it('shortens long decimals in free text and leaves the rest', () => {
    expect(shortenFloats('rate 0.8269230769230769 of 1.5 s and 12.34567 ms, id 20261127T210000Z')).toBe(
      'rate 0.8269 of 1.5 s and 12.35 ms, id 20261127T210000Z',
    );
  });

  const fig = (id: string, label: string, value: number, unit: Figure['unit'], target?: Figure['target']): Figure => ({
    id,
    label,
    value,
    unit,
    source: 's',
    side: 'client',
    target,
    pass: false,
  });
  it.each<[string, Figure[], string]>([
    [
      'target missed: query-mix success rate = 0.8269230769230769 (k6 http_req_failed (1 − rate))',
      [fig('a', 'query-mix success rate', 0.8269230769230769, 'ratio', { op: '>=', value: 0.99 })],
      'target missed: query-mix success rate = 82.69 %, target ≥ 99.00 % (k6 http_req_failed (1 − rate))',
    ],
    [
      'target missed: simple query p95 = 52.123456 (k6 db_query_duration{query_type:simple})',
      [fig('b', 'simple query p95', 52.123456, 'ms', { op: '<=', value: 50 })],
      'target missed: simple query p95 = 52.12 ms, target ≤ 50.00 ms (k6 db_query_duration{query_type:simple})',
    ],
    ['target missed: Pool efficiency not measured', [], 'target missed: Pool efficiency not measured'],
    [
      'target missed: unknown figure = 0.123456789 (somewhere)',
      [],
      'target missed: unknown figure = 0.1235 (somewhere)',
    ],
    ['scenario smoke ended with k6 exit code 107', [], 'scenario smoke ended with k6 exit code 107'],
  ])('reason %s', (reason, figures, text) => {
    expect(formatReason(reason, figures)).toBe(text);
  });
});
