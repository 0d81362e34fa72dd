/**
 * The engine watching itself: the judgement is pure and breaks on purpose
 * with figures over the limits; a CPU-bound script really makes a run report
 * itself as engine-limited.
 */
import { describe, expect, it } from 'vitest';
import { ENGINE_LIMITS, judgeEngine } from '../engine/index.ts';
import { metric, runScript } from './helpers/engine-harness.ts';

describe('judgeEngine', () => {
  it('is not limited with a quiet loop and spare CPU', () => {
    expect(judgeEngine(3, [20, 30, 25])).toMatchObject({ limited: false, reasons: [] });
  });
  it('is limited when the event-loop delay p99 is over the limit', () => {
    const r = judgeEngine(ENGINE_LIMITS.eventLoopDelayP99Ms + 1, [10, 10]);
    expect(r.limited).toBe(true);
    expect(r.reasons[0]).toContain('event-loop delay');
  });
  it('is limited when the CPU is saturated for a sustained share of the run', () => {
    expect(judgeEngine(1, [95, 97, 20, 99]).limited).toBe(true);
    expect(judgeEngine(1, [95, 20, 20, 20]).limited).toBe(false);
  });
});

describe('a CPU-bound run', () => {
  it('reports the engine as the limit, in the summary text and the data', async () => {
    const r = await runScript(`
      export const options = { vus: 1, duration: '2.5s' };
      export default function () { const end = Date.now() + 150; while (Date.now() < end) {} }`);
    expect(r.result.engineLimited).toBe(true);
    expect(r.result.summary!.engine).toMatchObject({ name: 'acgs-load embedded', limited: true });
    expect(r.stdout).toContain('the embedded engine itself limited the load');
    expect(metric(r, 'engine_event_loop_delay')!.max).toBeGreaterThan(50);
  });
});
