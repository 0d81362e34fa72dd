/**
 * A merged run carries what the instances' files say: a scenario's exit code
 * from its merged thresholds (crossed -> 99, and the run fails naming them),
 * the engine as the summaries name it, the target from the requests' URLs;
 * "n/a" or null for what no file records (the machines), never a typed-in 0.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { loadConfig } from '../../config/index.ts';
import {
  fixtureChecker,
  ladderSteps,
  summarySkeleton,
  writeFixtureRun,
  writeStream,
  type LoadStep,
} from '../../test/helpers/ndjson-fixtures.ts';
import { parseRunJson } from '../run-json.ts';
import { metricLine, pointLine } from './k6-records.ts';
import { mergeInstances, runFromMerged } from './index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-merge-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});
const T0 = Date.parse('2026-11-27T21:00:00Z');
const config = loadConfig({ profile: 'smoke', env: {} });
// The synthetic streams declare http_req_duration with the threshold p(95)<2000.
const slowSteps: LoadStep[] = [{ tag: 'users_10', startS: 0, durationS: 5, rps: 200, medianMs: 5000 }];

async function cli(...args: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'acgs-load', ...args]);
    process.exitCode = undefined;
    return { code, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** A k6-operator pod's folder: the ladder's stream and its summary (optionally with the embedded engine's `engine`). */
async function pod(name: string, steps: LoadStep[], seed: number, engine?: object): Promise<string> {
  const dir = join(tmp, name);
  await writeStream(join(dir, 'ladder.metrics.ndjson'), { startMs: T0 + seed, seed, steps });
  const summary = { ...summarySkeleton(ladderSteps(5).map((s) => s.tag)), ...(engine ? { engine } : {}) };
  writeFileSync(join(dir, 'ladder.summary.json'), JSON.stringify(summary));
  return dir;
}

describe('a run built from instance folders alone', () => {
  it('instances whose merged threshold is crossed: the scenario exits 99 and the run fails, naming it', async () => {
    const dirs = [await pod('fast', ladderSteps(5, 1), 1), await pod('slow', slowSteps, 2)];
    const run = runFromMerged(await mergeInstances(dirs), config, { runId: 'r', checks: null, ladder: null });
    expect(run.scenarios[0].exitCode).toBe(99);
    expect(run.exitCode).toBe(4);
    expect(run.verdict).toBe('FAIL (exit 4)');
    expect(run.reasons).toContain(
      'scenario ladder: k6 thresholds crossed (merged over 2 instances): http_req_duration p(95)<2000',
    );

    // The same instances without the slow one: nothing crossed, exit 0 for the scenario.
    const ok = runFromMerged(await mergeInstances([dirs[0]]), config, { runId: 'r', checks: null, ladder: null });
    expect(ok.scenarios[0].exitCode).toBe(0);
    expect(ok.reasons.some((r) => r.includes('thresholds crossed'))).toBe(false);
  });

  it('machine facts no file records are n/a or null, never 0; the engine is n/a unless a summary names it', async () => {
    const dirs = [await pod('plain-a', ladderSteps(5, 1), 3), await pod('plain-b', ladderSteps(5, 1), 4)];
    const res = await cli('report', join(tmp, 'operator-run'), '--merge', ...dirs, '--run-id', 'op');
    expect(res.code, res.err).toBe(0);
    const run = parseRunJson(readFileSync(join(tmp, 'operator-run', 'run.json'), 'utf8'), 'run.json');
    const env = run.environment;
    expect(env.cpus).toBeNull();
    expect(env.memoryBytes).toBeNull();
    expect(env.cpus).not.toBe(0);
    expect(env.node).toBe('n/a');
    expect(env.platform).toBe('n/a');
    expect(env.cpuModel).toBe('n/a');
    expect(env.pgVersion).toBe('n/a');
    expect(env.redisVersion).toBe('n/a');
    expect(env.services).toEqual({ postgres: 'n/a', redis: 'n/a', target: 'n/a' });
    expect(env.targetUrl).toBe('n/a'); // the synthetic streams carry no url tag
    expect(run.engine).toBe('n/a (2 instances)');
    expect(run.scenarios[0].engine).toBe('n/a');
    expect(run.scenarios[0].engineLimited).toBeNull();
    expect(run.scenarios[0].exitCode).toBe(0);
    expect(JSON.stringify(run)).not.toMatch(/"unknown"|"not measured"/);
    expect(run.figures.find((f) => f.id === 'scenario.ladder.requests')!.source).toContain('(n/a engine)');
  });

  it('takes the engine from the summaries and the target from the requests', async () => {
    const embedded = {
      name: 'acgs-load embedded',
      limited: false,
      eventLoopDelayP99Ms: 3,
      cpuPercent: 20,
      reasons: [],
    };
    const a = await pod('emb-a', ladderSteps(5, 1), 5, embedded);
    const b = await pod('emb-b', ladderSteps(5, 1), 6, { ...embedded, limited: true, reasons: ['cpu'] });
    // A stream with request URLs, as k6 tags http_reqs.
    const c = join(tmp, 'with-urls');
    mkdirSync(c, { recursive: true });
    writeFileSync(
      join(c, 'ladder.metrics.ndjson'),
      [
        metricLine('http_reqs', 'counter'),
        pointLine('http_reqs', T0, 1, { scenario: 'users_10', url: 'http://target.test:8080/api/v1/principles/1' }),
        pointLine('http_reqs', T0 + 5, 1, { scenario: 'users_10', url: 'http://target.test:8080/api/v1/ids?x=1' }),
      ].join('\n') + '\n',
    );
    writeFileSync(join(c, 'ladder.summary.json'), JSON.stringify({ metrics: {}, engine: embedded }));
    const merged = await mergeInstances([a, b, c]);
    expect(merged.scenarios[0].engine).toEqual({ name: 'acgs-load embedded', limited: true });
    expect(merged.scenarios[0].targets).toEqual(['http://target.test:8080']);
    const run = runFromMerged(merged, config, { runId: 'r', checks: null, ladder: null });
    expect(run.engine).toBe('acgs-load embedded (3 instances)');
    expect(run.scenarios[0].engineLimited).toBe(true);
    expect(run.environment.targetUrl).toBe('http://target.test:8080');

    // Every instance says it was not limited -> false; one says nothing -> null.
    expect((await mergeInstances([a, c])).scenarios[0].engine).toEqual({ name: 'acgs-load embedded', limited: false });
    const mixed = (await mergeInstances([a, await pod('plain-c', ladderSteps(5, 1), 7)])).scenarios[0].engine;
    expect(mixed).toEqual({ name: 'acgs-load embedded, n/a', limited: null });
  });
});

describe('an acgs-load run merged with another instance', () => {
  it('takes the threshold verdict from the merged values: exit 4, the scenario 99, the threshold named', async () => {
    const d = join(tmp, 'main-run');
    const base = await writeFixtureRun(
      d,
      [{ name: 'ladder', spec: { startMs: T0, seed: 11, steps: ladderSteps(5, 4) } }],
      // Checkers without violations: the merged exit code is read from run.json's checkers too.
      { runId: 'main', checkers: [fixtureChecker('cache-db-sync', 5000, { stale: 0 }, 120)] },
    );
    writeFileSync(join(d, 'run.json'), JSON.stringify(base));
    expect(base.scenarios[0].exitCode).toBe(0);
    const inst = await pod('slow-instance', slowSteps, 12);
    const res = await cli('report', d, '--merge', inst);
    expect(res.code, res.err).toBe(0);
    const after = parseRunJson(readFileSync(join(d, 'run.json'), 'utf8'), 'run.json');
    expect(after.scenarios[0].exitCode).toBe(99);
    expect(after.exitCode).toBe(4);
    expect(after.reasons).toContain(
      'scenario ladder: k6 thresholds crossed (merged over 2 instances): http_req_duration p(95)<2000',
    );
    // The machine facts of the run that wrapped the first instance stand.
    expect(after.environment).toEqual(base.environment);
  });
});
