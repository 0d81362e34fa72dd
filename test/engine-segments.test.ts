/**
 * Execution segments (k6 lib/execution_segment.go, docs "--execution-segment"):
 * the grammar, k6's striping and scaling tables, and the property that makes
 * them useful: all instances of a sequence together run exactly the whole
 * test, VU by VU, iteration by iteration, at the same moments.
 */
import { describe, expect, it } from 'vitest';
import {
  ExecutionTuple,
  parseSegment,
  parseSequence,
  rampingVusSegmentSteps,
  segmentScenarios,
  SegmentError,
} from '../engine/execution-segment.ts';
import { constantArrivalOffsets } from '../engine/executors/constant-arrival-rate.ts';
import { rampingArrivalOffsets } from '../engine/executors/ramping-arrival-rate.ts';
import { rampingVusSteps } from '../engine/executors/ramping-vus.ts';
import { readScenarios } from '../engine/executors/index.ts';
import { runScript } from './helpers/engine-harness.ts';

const tuples = (seq: string) => {
  const s = parseSequence(seq)!;
  return s.map((seg) => ExecutionTuple.of(seg, s));
};

describe('segment grammar', () => {
  it.each([
    ['1/2:3/4', '1/2:3/4'],
    ['50%:75%', '1/2:3/4'],
    ['0.5:0.75', '1/2:3/4'],
    ['2/4:75%', '1/2:3/4'],
    ['20%', '0:1/5'],
    ['0.2', '0:1/5'],
    ['', '0:1'],
  ])('%s is (%s]', (text, want) => {
    expect(parseSegment(text).toString()).toBe(want);
  });

  it.each([
    ['1/2:1/4', /start\(0\.50\) should be less than its end\(0\.25\)/],
    ['-1/4:1/2', /start value should be at least 0/],
    ['0:3/2', /shouldn't be more than 1/],
    ['abc', /'abc' is not a valid percentage, decimal, fraction or interval value/],
    ['x%', /'x%' is not a valid percentage/],
  ])('%s is refused with k6 message', (text, msg) => {
    expect(() => parseSegment(text)).toThrow(SegmentError);
    expect(() => parseSegment(text)).toThrow(msg);
  });

  it('a sequence needs two points, and the segment must be one of its segments', () => {
    expect(() => parseSequence('1/2')).toThrow(/at least 2 points/);
    expect(() => ExecutionTuple.of(parseSegment('0:1/3'), parseSequence('0,1/2,1'))).toThrow(
      /couldn't find segment 0:1\/3 in sequence 0,1\/2,1/,
    );
  });
});

describe("k6's striping and scaling", () => {
  it("reproduces the table in k6's ExecutionTuple doc comment", () => {
    const [a, b, c] = tuples('0,1/2,3/4,1');
    const row = (t: ExecutionTuple) => Array.from({ length: 12 }, (_, i) => t.scale(i + 1)).join(' ');
    expect(row(a)).toBe('1 1 2 2 3 3 4 4 5 5 6 6');
    expect(row(b)).toBe('0 1 1 1 1 2 2 2 2 3 3 3');
    expect(row(c)).toBe('0 0 0 1 1 1 1 2 2 2 2 3');
    expect(a.stride()).toMatchObject({ start: 0, offsets: [2, 2] });
    expect(b.stride()).toMatchObject({ start: 1, offsets: [4] });
    expect(c.stride()).toMatchObject({ start: 3, offsets: [4] });
  });

  it.each(['0,1/3,2/3,1', '0,1/4,1/2,3/4,1', '0,3/5,1', '0,1/7,3/10,1/2,1'])(
    'the shares of %s always add up to the whole, and never shrink as the value grows',
    (seq) => {
      const ts = tuples(seq);
      for (let v = 0; v <= 300; v++) {
        expect(ts.reduce((s, t) => s + t.scale(v), 0)).toBe(v);
        if (v > 0) for (const t of ts) expect(t.scale(v)).toBeGreaterThanOrEqual(t.scale(v - 1));
      }
    },
  );

  it('a segment without a sequence is filled around (0:1/2 gets half)', () => {
    const t = ExecutionTuple.of(parseSegment('1/2'));
    expect(t.scale(10)).toBe(5);
    expect(t.scale(11)).toBe(6);
    expect(ExecutionTuple.of().isFull).toBe(true);
  });
});

describe('scenarios split by segment', () => {
  it('arrival-rate iterations of all instances are exactly the whole test, at the same offsets', () => {
    const full = [...constantArrivalOffsets(7, 1000, 3000)];
    const ramp = [
      ...rampingArrivalOffsets(0, 1000, [
        { durationMs: 2000, target: 20 },
        { durationMs: 1000, target: 5 },
      ]),
    ];
    for (const seq of ['0,1/3,2/3,1', '0,1/2,1', '0,1/10,1']) {
      const ts = tuples(seq);
      const mine = ts.map((t) => [...constantArrivalOffsets(7, 1000, 3000, t.stride())]);
      expect(mine.flat().sort((x, y) => x - y)).toEqual(full);
      const mineRamp = ts.map((t) => [
        ...rampingArrivalOffsets(
          0,
          1000,
          [
            { durationMs: 2000, target: 20 },
            { durationMs: 1000, target: 5 },
          ],
          t.stride(),
        ),
      ]);
      expect(mineRamp.flat().sort((x, y) => x - y)).toEqual(ramp);
    }
  });

  it('ramping-vus: the instances together plan the VUs of the whole test at every moment', () => {
    const stages = [
      { durationMs: 10_000, target: 10 },
      { durationMs: 5_000, target: 10 },
      { durationMs: 0, target: 4 },
      { durationMs: 7_000, target: 0 },
    ];
    const at = (steps: Array<{ atMs: number; vus: number }>, ms: number) =>
      steps.filter((s) => s.atMs <= ms).at(-1)?.vus ?? 0;
    const whole = rampingVusSteps(2, stages);
    expect(rampingVusSegmentSteps(2, stages, ExecutionTuple.of())).toEqual(whole);
    const parts = tuples('0,1/4,1/2,1').map((t) => rampingVusSegmentSteps(2, stages, t));
    for (let ms = 0; ms <= 22_000; ms += 250)
      expect(
        parts.reduce((s, p) => s + at(p, ms), 0),
        `at ${ms} ms`,
      ).toBe(at(whole, ms));
  });

  it('scales VUs and iterations per executor, and drops scenarios without work', () => {
    const errors: string[] = [];
    const configs = readScenarios(
      {
        si: { executor: 'shared-iterations', vus: 3, iterations: 10 },
        pv: { executor: 'per-vu-iterations', vus: 3, iterations: 2 },
        cv: { executor: 'constant-vus', vus: 4, duration: '1s' },
        car: { executor: 'constant-arrival-rate', rate: 5, duration: '1s', preAllocatedVUs: 2, maxVUs: 4 },
        one: { executor: 'shared-iterations', vus: 1, iterations: 1 },
      },
      errors,
    );
    expect(errors).toEqual([]);
    const parts = tuples('0,1/3,2/3,1').map((t) => segmentScenarios(configs, t));
    const sum = (name: string, key: string) =>
      parts.reduce((s, p) => s + Number((p.scenarios.find((c) => c.name === name) as never)?.[key] ?? 0), 0);
    expect(sum('si', 'vus')).toBe(3);
    expect(sum('si', 'iterations')).toBe(10);
    expect(sum('pv', 'vus')).toBe(3);
    expect(sum('cv', 'vus')).toBe(4);
    expect(sum('car', 'maxVUs')).toBe(4);
    expect(sum('car', 'preAllocatedVUs')).toBe(2);
    expect(parts.map((p) => p.disabled)).toEqual([[], ['one'], ['one']]);
  });
});

describe('runs split by segment', () => {
  const script = `export const options = { scenarios: {
      si: { executor: 'shared-iterations', vus: 3, iterations: 10 },
      pv: { executor: 'per-vu-iterations', vus: 3, iterations: 2 },
      car: { executor: 'constant-arrival-rate', rate: 20, duration: '500ms', preAllocatedVUs: 3 },
    } };
    export default function () {}`;

  it('three embedded instances run exactly the iterations of one', async () => {
    const seq = '0,1/3,2/3,1';
    const whole = await runScript(script);
    const runs = await Promise.all(
      ['0:1/3', '1/3:2/3', '2/3:1'].map((s) =>
        runScript(script, { flags: { executionSegment: s, executionSegmentSequence: seq } }),
      ),
    );
    const count = (r: typeof whole) => r.result.summary?.metrics.iterations?.values.count ?? 0;
    expect(whole.result.exitCode).toBe(0);
    expect(count(whole)).toBe(10 + 6 + 10);
    for (const r of runs) expect(r.result.exitCode).toBe(0);
    expect(runs.map(count).reduce((a, b) => a + b, 0)).toBe(count(whole));
    expect(runs.map(count).every((c) => c > 0 && c < count(whole))).toBe(true);
  });

  it('a segment outside its sequence is an invalid configuration (104), and so is a bad K6_EXECUTION_SEGMENT', async () => {
    const r = await runScript(script, { flags: { executionSegment: '0:1/3', executionSegmentSequence: '0,1/2,1' } });
    expect(r.result.exitCode).toBe(104);
    expect(r.stderr).toMatch(/couldn't find segment 0:1\/3/);
    process.env.K6_EXECUTION_SEGMENT = '3/2';
    try {
      const bad = await runScript(script);
      expect(bad.result.exitCode).toBe(104);
      expect(bad.stderr).toMatch(/execution segment: segment end value shouldn't be more than 1/);
    } finally {
      delete process.env.K6_EXECUTION_SEGMENT;
    }
  });
});
