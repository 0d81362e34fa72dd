/**
 * Two rules of the per-query-type targets, each broken on purpose:
 * - a percentile target needs enough samples to estimate that percentile
 *   (figure.ts minSamplesFor: p95 ≥ 59, p99 ≥ 299 at 95 % confidence); on
 *   fewer its verdict is NO DATA with the count and the minimum, never a PASS;
 * - a figure judged on scenarios [a, b] whose b left no metrics stream is NO
 *   DATA naming b, never a value from a alone.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { tempDir } from '../../test/helpers/temp.ts';
import { fixtureInputs } from '../../test/helpers/run-inputs.ts';
import { writeStream } from '../../test/helpers/ndjson-fixtures.ts';
import { runExitCode } from '../../run/write-results.ts';
import { minSamplesFor, missedTargetReason, verdict, type Figure } from '../figure.ts';
import { metricLine, pointLine } from '../ndjson/k6-records.ts';
import { readJudgedSamples, type ScenarioSamples } from '../ndjson/judged-samples.ts';
import { buildFigures } from './index.ts';

const dir = tempDir('acgs-judging-rules-');
const T0 = Date.parse('2026-12-01T10:00:00Z');
/** The smoke profile judging percentiles (the shipped one shows them only: targets.percentiles false). */
const smoke = loadConfig({ profile: 'smoke', env: {}, flags: { targets: { percentiles: true } } });
const nightly = loadConfig({ profile: 'nightly', env: {} });

/** A stream with `n` db_query_duration samples of `qt`, all `ms` (well under every target). */
function queryStream(name: string, n: number, qt = 'simple', ms = 1): string {
  const file = join(dir, `${name}.metrics.ndjson`);
  const lines = [metricLine('db_query_duration', 'trend', 'time')];
  for (let i = 0; i < n; i++)
    lines.push(pointLine('db_query_duration', T0 + i, ms, { query_type: qt, scenario: name }));
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

const scenario = (name: string) => ({
  name,
  summary: null,
  exitCode: 0,
  engine: 'embedded',
  engineLimited: false,
  durationS: 1,
});

async function figuresOf(config: Readonly<Config>, streams: Record<string, string[]>): Promise<Map<string, Figure>> {
  const samples: Record<string, ScenarioSamples> = {};
  for (const [name, files] of Object.entries(streams)) samples[name] = await readJudgedSamples(files);
  const inputs = fixtureInputs({ config, scenarios: Object.keys(streams).map(scenario), samples });
  return new Map(buildFigures(inputs).figures.map((f) => [f.id, f]));
}

describe('a percentile target needs enough samples to estimate that percentile', () => {
  it('minSamplesFor: the fewest n with q^n ≤ 5 % (p90 29, p95 59, p99 299, p99.9 2995)', () => {
    expect([0.9, 0.95, 0.99, 0.999].map((q) => minSamplesFor(q))).toEqual([29, 59, 299, 2995]);
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 0.9999, noNaN: true }), (q) => {
        const n = minSamplesFor(q);
        return q ** n <= 0.05 + 1e-12 && q ** (n - 1) > 0.05 - 1e-12;
      }),
    );
  });

  it('broken on purpose: p95 and p99 met on 2 samples are NO DATA with the count and the minimum, exit 4', async () => {
    const f = await figuresOf(smoke, { smoke: [queryStream('two', 2)] });
    const p99 = f.get('query.simple.p99')!;
    expect(p99.value).toBe(1); // measured, and under the target...
    expect(verdict(p99)).toBe('NO DATA'); // ...but not a p99
    expect(p99.note).toContain('2 samples; a p99 target is judged on ≥ 299');
    expect(verdict(f.get('query.simple.p95')!)).toBe('NO DATA');
    expect(f.get('query.simple.p95')!.note).toContain('2 samples; a p95 target is judged on ≥ 59');
    expect(missedTargetReason(p99)).toMatch(
      /^target missed: simple query p99 = 1\.00 ms cannot be judged \(2 samples;/,
    );
    const { exitCode, reasons } = runExitCode({ scenarios: [], checks: null, figures: [...f.values()] });
    expect(exitCode).toBe(4);
    expect(reasons.some((r) => r.startsWith('target missed: simple query p99 = 1.00 ms cannot be judged'))).toBe(true);
  });

  it('at the minimum the target is judged: 298 samples judge p95 only, 299 both', async () => {
    const below = await figuresOf(smoke, { smoke: [queryStream('n298', 298)] });
    expect(verdict(below.get('query.simple.p95')!)).toBe('PASS');
    expect(verdict(below.get('query.simple.p99')!)).toBe('NO DATA');
    const at = await figuresOf(smoke, { smoke: [queryStream('n299', 299)] });
    expect(verdict(at.get('query.simple.p95')!)).toBe('PASS');
    expect(verdict(at.get('query.simple.p99')!)).toBe('PASS');
    expect(at.get('query.simple.p99')!.note).toBeUndefined();
  });

  it('a profile that does not judge percentiles (targets.percentiles false, the shipped smoke) shows them without a verdict', async () => {
    const shippedSmoke = loadConfig({ profile: 'smoke', env: {} });
    expect(shippedSmoke.targets.percentiles).toBe(false);
    const f = await figuresOf(shippedSmoke, { smoke: [queryStream('few', 4, 'simple', 500)] });
    for (const id of ['query.simple.p95', 'query.simple.p99']) {
      const x = f.get(id)!;
      expect(x.value, id).toBe(500);
      expect(x.target, id).toBeUndefined();
      expect(x.pass, id).toBeUndefined();
      expect(x.note, id).toContain('not judged');
    }
    // the average query time is still judged: 500 ms misses its 200 ms target
    expect(verdict(f.get('query.all.avg')!)).toBe('FAIL');
  });

  it('enough samples over the target still fail (the rule never turns a FAIL into NO DATA)', async () => {
    const f = await figuresOf(smoke, { smoke: [queryStream('slow', 400, 'simple', 500)] });
    expect(verdict(f.get('query.simple.p99')!)).toBe('FAIL');
  });
});

describe('a judged scenario whose stream is missing', () => {
  it('broken on purpose: judged on query-mix and user-journey, user-journey without a stream: NO DATA naming it', async () => {
    const qm = join(dir, 'k6', 'query-mix.metrics.ndjson');
    await writeStream(qm, {
      startMs: T0,
      seed: 3,
      steps: [{ tag: 'query-mix', startS: 0, durationS: 20, rps: 100, medianMs: 5 }],
    });
    const missing = join(dir, 'k6', 'user-journey.metrics.ndjson');
    const f = await figuresOf(nightly, { 'query-mix': [qm], 'user-journey': [missing] });
    for (const id of ['query.simple.p95', 'query.join.p99', 'query.all.avg', 'cache.hitRate', 'cache.get.p95']) {
      const x = f.get(id)!;
      expect(x.value, id).toBeNull();
      expect(x.source, id).toContain('no metrics stream from judged scenario user-journey');
    }
    const p95 = f.get('query.simple.p95')!;
    expect(verdict(p95)).toBe('NO DATA');
    expect(missedTargetReason(p95)).toBe(
      'target missed: simple query p95 not measured (no metrics stream from judged scenario user-journey: its samples are unknown)',
    );
    expect(verdict(f.get('cache.hitRate')!)).toBe('NO DATA');

    // The same with both streams there: measured.
    const uj = join(dir, 'k6', 'user-journey-ok.metrics.ndjson');
    await writeStream(uj, {
      startMs: T0,
      seed: 4,
      steps: [{ tag: 'user-journey', startS: 0, durationS: 20, rps: 100, medianMs: 5 }],
    });
    const ok = await figuresOf(nightly, { 'query-mix': [qm], 'user-journey': [uj] });
    expect(ok.get('query.simple.p95')!.value).not.toBeNull();
    expect(verdict(ok.get('query.simple.p95')!)).toBe('PASS');
  });
});
