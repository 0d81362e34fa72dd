import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import {
  fixtureChecker,
  ladderSteps,
  summarySkeleton,
  writeFixtureRun,
  writeStream,
} from '../../test/helpers/ndjson-fixtures.ts';
import { parseRunJson, type RunJson } from '../run-json.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-compare-cli-'));
const T0 = Date.parse('2026-11-27T21:00:00Z');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// compare sets process.exitCode; it must not leak into other tests or vitest's own exit.
afterEach(() => {
  process.exitCode = undefined;
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi
    .spyOn(process.stderr, 'write')
    .mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'acgs-load', ...args]);
    process.exitCode = undefined;
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const dirs: string[] = [];
const run = (i: number) => dirs[i];
beforeAll(async () => {
  for (const seed of [1, 2, 3]) {
    const d = join(tmp, `run-${seed}`);
    const r = await writeFixtureRun(d, [{ name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4) } }], {
      runId: `run-${seed}`,
    });
    writeFileSync(join(d, 'run.json'), JSON.stringify(r));
    dirs.push(d);
  }
});

describe('acgs-load compare / baseline', () => {
  it('exits 7 with the regressed figure and its p-value when one query type is twice as slow', async () => {
    const slow = join(tmp, 'slow');
    const r = await writeFixtureRun(
      slow,
      [{ name: 'ladder', spec: { startMs: T0, seed: 9, steps: ladderSteps(5, 4), dbFactorByType: { complex: 2 } } }],
      { runId: 'slow' },
    );
    writeFileSync(join(slow, 'run.json'), JSON.stringify(r));
    const res = await cli('compare', run(0), slow);
    expect(res.code).toBe(7);
    expect(res.out).toMatch(/REGRESSION\s+complex query p95 .* p (=|<) \S+ \(U test, Holm p/);
    expect(res.out).not.toMatch(/^REGRESSION {2,}(?!complex query)/m);
    expect(res.out).toContain('method: latency figures with per-request samples on both sides');
    const md = await cli('compare', run(0), join(slow, 'run.json'), '--markdown');
    expect(md.code).toBe(7);
    expect(md.out).toMatch(/### acgs-load: ❌ \d+ regressions?/);
    const jsonFile = join(tmp, 'comparison.json');
    expect((await cli('compare', run(0), slow, '--json', jsonFile)).code).toBe(7);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      alpha: number;
      rows: Array<{ id: string; verdict: string; test: { method: string; p: number } | null }>;
    };
    expect(json.alpha).toBe(0.01);
    const row = json.rows.find((x) => x.id === 'query.complex.p95')!;
    expect(row.verdict).toBe('regression');
    expect(row.test!.p).toBeLessThan(1e-6);
    expect(row.test!.method).toContain('Mann–Whitney U');
    expect((await cli('compare', run(0), run(0))).code).toBe(0);
  });

  it('exits 0 for two runs of the same build, and for a run.json edited without its samples', async () => {
    // Was: a copy with its p95 doubled in run.json exited 7, by tolerance alone; its samples say nothing changed.
    const same = await cli('compare', run(0), run(1));
    expect(same.code).toBe(0);
    expect(same.out).toContain('no regression');
    expect(same.out).toContain('one run per side cannot tell noise from change');
    const edited = join(tmp, 'edited');
    cpSync(run(0), edited, { recursive: true });
    const r = parseRunJson(readFileSync(join(edited, 'run.json'), 'utf8'), 'run.json');
    r.figures.find((f) => f.id === 'query.complex.p95')!.value! *= 2;
    writeFileSync(join(edited, 'run.json'), JSON.stringify(r));
    const res = await cli('compare', run(0), edited);
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/NOISE\s+complex query p95 .*p = 1\.0 \(U test/);
    expect((await cli('compare', run(0), run(1), '--alpha', 'often')).err).toContain("--alpha 'often'");
  });

  it('saves a baseline of several runs and judges a run against it', async () => {
    const file = join(tmp, 'baseline.json');
    const saved = await cli('baseline', 'save', run(0), run(1), run(2), '--out', file);
    expect(saved.code).toBe(0);
    expect(saved.out).toMatch(/over 3 run\(s\) of profile smoke/);
    const res = await cli('compare', run(1), '--baseline', file, '--markdown');
    expect(res.code).toBe(0);
    expect(res.out).toContain('against baseline of 3 run(s)');
    expect(res.out).toContain("prediction interval of one more run (α 0.01; Student's t with 2 degrees of freedom)");
    expect((await cli('baseline', 'show', file)).out).toMatch(/query\.join\.p95\s+mean/);
  });

  it('names bad input with a hint: a missing folder, a file that is not a run, a missing second run', async () => {
    const missing = await cli('compare', join(tmp, 'nope'), run(0));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/error\[RESULTS_ERROR\]: '.*nope' does not exist\nhint: pass a results folder/);
    const junk = join(tmp, 'junk.json');
    writeFileSync(junk, '{"hello":1}');
    const notRun = await cli('compare', junk, run(0));
    expect(notRun.code).toBe(2);
    expect(notRun.err).toContain("is not an acgs-load run.json (schema 'undefined'");
    const one = await cli('compare', run(0));
    expect(one.code).toBe(2);
    expect(one.err).toContain('compare needs two runs or --baseline');
    expect((await cli('compare', run(0), run(1), '--tolerance', 'lots')).err).toContain("--tolerance 'lots'");
  });
});

describe('acgs-load report', () => {
  it('regenerates report.md and report.html from a results folder', async () => {
    const d = join(tmp, 'regen');
    cpSync(run(0), d, { recursive: true });
    const res = await cli('report', d);
    expect(res.code).toBe(0);
    const md = readFileSync(join(d, 'report.md'), 'utf8');
    expect(md).toContain('# acgs-load run run-1');
    expect(md).toContain('## Load ladder');
    expect(readFileSync(join(d, 'report.html'), 'utf8')).toContain('data-chart="hdr-distribution"');
  });

  it('merges a second k6 instance of the run: the requests of both are counted', async () => {
    const d = join(tmp, 'merge-main');
    cpSync(run(0), d, { recursive: true });
    const inst = join(tmp, 'instance-2');
    mkdirSync(inst, { recursive: true });
    await writeStream(join(inst, 'ladder.metrics.ndjson'), { startMs: T0 + 50, seed: 99, steps: ladderSteps(5, 2) });
    writeFileSync(join(inst, 'ladder.summary.json'), JSON.stringify(summarySkeleton(ladderSteps(5).map((s) => s.tag))));
    const before = parseRunJson(readFileSync(join(d, 'run.json'), 'utf8'), 'run.json');
    const requests = (r: RunJson, id: string) => r.figures.find((f) => f.id === id)!.value!;
    const res = await cli('report', d, '--merge', inst);
    expect(res.code, res.err).toBe(0);
    const after = parseRunJson(readFileSync(join(d, 'run.json'), 'utf8'), 'run.json');
    expect(requests(after, 'ladder.100.requests')).toBe(requests(before, 'ladder.100.requests') + 100 * 2 * 5);
    expect(requests(after, 'scenario.ladder.requests')).toBe(
      requests(before, 'scenario.ladder.requests') + 185 * 2 * 5,
    );
    expect(after.figures.find((f) => f.id === 'ladder.100.requests')!.source).toContain('merged from 2 k6 instances');
    expect(after.reasons.at(-1)).toContain('merged the outputs of 2 k6 instances (ladder: 2)');
    // Server-side figures were measured once for the whole run and are kept.
    expect(after.figures.find((f) => f.id === 'consistency.cache-db-sync.checked')).toEqual(
      before.figures.find((f) => f.id === 'consistency.cache-db-sync.checked'),
    );
    expect(existsSync(join(d, 'run.instance.json'))).toBe(true);
    // Again, without --merge: merge.json repeats the same merge, counts do not double.
    expect((await cli('report', d)).code).toBe(0);
    const again = parseRunJson(readFileSync(join(d, 'run.json'), 'utf8'), 'run.json');
    expect(requests(again, 'ladder.100.requests')).toBe(requests(after, 'ladder.100.requests'));
    expect(readFileSync(join(d, 'report.md'), 'utf8')).toContain('merged from 2 k6 instances');
  });

  it("builds a run from k6-operator instance folders alone, with the checkers' result", async () => {
    const pods = [join(tmp, 'pod-a'), join(tmp, 'pod-b')];
    for (const [i, p] of pods.entries()) {
      mkdirSync(p, { recursive: true });
      await writeStream(join(p, 'ladder.metrics.ndjson'), {
        startMs: T0 + i * 10,
        seed: 200 + i,
        steps: ladderSteps(5, 1),
      });
      writeFileSync(
        join(p, 'ladder.summary-export.json'),
        JSON.stringify(summarySkeleton(ladderSteps(5).map((s) => s.tag))),
      );
    }
    const checks = join(tmp, 'checks.json');
    writeFileSync(
      checks,
      JSON.stringify({
        ok: false,
        checkers: [fixtureChecker('cache-db-sync', 100, { stale: 2 }, 5)],
        startedAt: '',
        durationMs: 5,
      }),
    );
    const out = join(tmp, 'operator-run');
    const res = await cli('report', out, '--merge', ...pods, '--checks', checks, '--run-id', 'op-1');
    expect(res.code, res.err).toBe(0);
    const r = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    expect(r.runId).toBe('op-1');
    expect(r.figures.find((f) => f.id === 'scenario.ladder.requests')!.value).toBe(2 * 185 * 5);
    expect(r.figures.find((f) => f.id === 'consistency.cache-db-sync.violations')!.pass).toBe(false);
    expect(r.exitCode).toBe(3);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('data-chart="ladder-throughput"');
    expect((await cli('report', out)).code).toBe(0);
    const again = parseRunJson(readFileSync(join(out, 'run.json'), 'utf8'), 'run.json');
    expect(again.figures.find((f) => f.id === 'scenario.ladder.requests')!.value).toBe(2 * 185 * 5);
    expect(again.exitCode).toBe(3);
  });
});
