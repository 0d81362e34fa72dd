/**
 * The judged hit rate is over the reads where the scenarios' cache model
 * expected a hit (cache_hit{cache_expect:hit}), each rule broken on purpose:
 * an unexpected miss fails it however many expected misses surround it; cold
 * first reads never fail it; no expected-hit read at all is NO DATA (exit 4);
 * the overall rate and the miss causes are shown, not judged.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.ts';
import { tempDir } from '../../test/helpers/temp.ts';
import { fixtureInputs } from '../../test/helpers/run-inputs.ts';
import { runExitCode } from '../../run/write-results.ts';
import { verdict, type Figure } from '../figure.ts';
import { markdownTable } from '../markdown.ts';
import { metricLine, pointLine } from '../ndjson/k6-records.ts';
import { readJudgedSamples, type ScenarioSamples } from '../ndjson/judged-samples.ts';
import type { RedisDelta } from '../../measure/index.ts';
import { buildFigures } from './index.ts';
import type { RunInputs } from './inputs.ts';

const dir = tempDir('acgs-cache-hits-');
const T0 = Date.parse('2026-12-01T10:00:00Z');
const nightly = loadConfig({ profile: 'nightly', env: {} });

type Reads = Partial<Record<'hit' | 'unexpected' | 'expectedHit' | 'never_warmed' | 'expired' | 'invalidated', number>>;

/** A cache_hit stream: `hit` expected hits that hit, `unexpected` expected hits that missed, the rest misses by cause. */
function stream(name: string, r: Reads): string {
  const file = join(dir, `${name}-${Math.random().toString(36).slice(2)}.metrics.ndjson`);
  const lines = [metricLine('cache_hit', 'rate')];
  const add = (n: number | undefined, v: number, tags: Record<string, string>) => {
    for (let i = 0; i < (n ?? 0); i++) lines.push(pointLine('cache_hit', T0 + i, v, { scenario: name, ...tags }));
  };
  add(r.hit, 1, { cache_expect: 'hit' });
  add(r.unexpected, 0, { cache_expect: 'hit', miss_cause: 'unexpected' });
  add(r.expectedHit, 1, { cache_expect: 'miss' }); // a hit where none was expected (another VU filled it)
  for (const c of ['never_warmed', 'expired', 'invalidated'] as const)
    add(r[c], 0, { cache_expect: 'miss', miss_cause: c });
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

async function build(
  config: Readonly<Config>,
  streams: Record<string, string[]>,
  over: Partial<RunInputs> = {},
): Promise<{ f: Map<string, Figure>; tables: ReturnType<typeof buildFigures>['tables']; figures: Figure[] }> {
  const samples: Record<string, ScenarioSamples> = {};
  for (const [name, files] of Object.entries(streams)) samples[name] = await readJudgedSamples(files);
  const inputs = fixtureInputs({ config, scenarios: Object.keys(streams).map(scenario), samples, ...over });
  const out = buildFigures(inputs);
  return { f: new Map(out.figures.map((x) => [x.id, x])), tables: out.tables, figures: out.figures };
}

describe('the judged cache hit rate', () => {
  it('is over expected-hit reads: 1,000 cold first reads that missed do not fail it', async () => {
    const { f } = await build(nightly, {
      'user-journey': [stream('user-journey', { hit: 400, never_warmed: 1000, expectedHit: 50 })],
      'query-mix': [stream('query-mix', { hit: 200, expired: 10, invalidated: 5 })],
    });
    const hit = f.get('cache.hitRate')!;
    expect(hit.value).toBe(1);
    expect(verdict(hit)).toBe('PASS');
    expect(hit.source).toContain('cache_hit{cache_expect:hit}');
    expect(hit.source).toContain('600 samples');
    expect(hit.source).toContain('user-journey');
    const all = f.get('cache.hitRate.all')!;
    expect(all.value).toBeCloseTo(650 / 1665, 12);
    expect(all.target).toBeUndefined(); // shown, not judged
    expect(f.get('cache.miss.never_warmed')!.value).toBe(1000);
    expect(f.get('cache.miss.expired')!.value).toBe(10);
    expect(f.get('cache.miss.invalidated')!.value).toBe(5);
    expect(f.get('cache.miss.unexpected')!.value).toBe(0);
    expect(f.get('cache.miss.first_read')!.value).toBe(0);
  });

  it('broken on purpose: 4 unexpected misses in 600 expected hits fail it, however many expected misses beside them', async () => {
    const { f, figures } = await build(nightly, {
      'user-journey': [stream('user-journey', { hit: 596, unexpected: 4, never_warmed: 5000 })],
    });
    const hit = f.get('cache.hitRate')!;
    expect(hit.value).toBeCloseTo(596 / 600, 12);
    expect(verdict(hit)).toBe('FAIL');
    expect(f.get('cache.miss.unexpected')!.value).toBe(4);
    expect(runExitCode({ scenarios: [], checks: null, figures }).exitCode).toBe(4);
  });

  it('broken on purpose: no read where a hit was expected is NO DATA (exit 4), not a pass', async () => {
    const { f, figures } = await build(nightly, {
      'user-journey': [stream('user-journey', { never_warmed: 300, expectedHit: 20 })],
    });
    const hit = f.get('cache.hitRate')!;
    expect(hit.value).toBeNull();
    expect(verdict(hit)).toBe('NO DATA');
    expect(hit.note).toContain('no read where a hit was expected');
    expect(runExitCode({ scenarios: [], checks: null, figures }).exitCode).toBe(4);
  });

  it('names Redis evicted keys beside the causes, server-wide', async () => {
    const redis = {
      evictedKeys: 7,
      hitRate: 0.9,
      memoryUsedBytes: 1,
      restarted: false,
      commands: {},
    } as unknown as RedisDelta;
    const { f, tables } = await build(nightly, { 'user-journey': [stream('user-journey', { hit: 10 })] }, { redis });
    expect(f.get('cache.evictions')!.value).toBe(7);
    const t = tables.find((x) => x.title === 'Cache misses by cause')!;
    expect(t.rows.map((r) => r[0])).toEqual([
      'never_warmed',
      'first_read',
      'expired',
      'invalidated',
      'unexpected',
      'evicted (Redis)',
    ]);
    const md = markdownTable(t, f);
    expect(md).toContain('| unexpected | 0 |');
    expect(md).toContain('| evicted (Redis) | 7 |');
    expect(md).toContain('server-wide');
  });
});
