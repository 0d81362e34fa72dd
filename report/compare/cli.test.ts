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
  for (const seed of [1, 2, 3, 4, 5]) {
    const d = join(tmp, `run-${seed}`);
    const r = await writeFixtureRun(d, [{ name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4) } }], {
      runId: `run-${seed}`,
    });
    writeFileSync(join(d, 'run.json'), JSON.stringify(r));
    dirs.push(d);
  }
});

/** A run of ladder with some query types slowed (dbFactorByType), as a results folder. */
async function slowRun(name: string, seed: number, factors: Record<string, number>): Promise<string> {
  const d = join(tmp, name);
  const r = await writeFixtureRun(
    d,
    [{ name: 'ladder', spec: { startMs: T0, seed, steps: ladderSteps(5, 4), dbFactorByType: factors } }],
    { runId: name },
  );
  writeFileSync(join(d, 'run.json'), JSON.stringify(r));
  return d;
}

describe('acgs-load compare / baseline', () => {
  it('saves a baseline of five runs and exits 7 with the regressed figure and its band when one query type is slower', async () => {
    const file = join(tmp, 'baseline.json');
    const saved = await cli('baseline', 'save', run(0), run(1), run(2), run(3), run(4), '--out', file);
    expect(saved.code, saved.err).toBe(0);
    expect(saved.out).toMatch(/over 5 run\(s\) of profile smoke\n$/);
    const slow = await slowRun('slow', 9, { complex: 2 });
    const res = await cli('compare', slow, '--baseline', file);
    expect(res.code).toBe(7);
    expect(res.out).toMatch(/REGRESSION\s+complex query p95 .*band .* \(5 runs, p×\d+ /);
    // anything else called a regression pools every query type (the average over all of them)
    expect(res.out).not.toMatch(/^REGRESSION {2,}(?!complex query|Average query time \(all types\))/m);
    expect(res.out).toMatch(/method: against a baseline of 5 runs: a change is a regression only when/);
    const md = await cli('compare', join(slow, 'run.json'), '--baseline', file, '--markdown');
    expect(md.code).toBe(7);
    expect(md.out).toMatch(/### acgs-load: ❌ \d+ regressions?/);
    const jsonFile = join(tmp, 'comparison.json');
    expect((await cli('compare', slow, '--baseline', file, '--json', jsonFile)).code).toBe(7);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      alpha: number;
      family: number;
      rows: Array<{
        id: string;
        verdict: string;
        test: { method: string; pAdjusted: number; interval: number[] } | null;
      }>;
    };
    expect(json.alpha).toBe(0.01);
    const row = json.rows.find((x) => x.id === 'query.complex.p95')!;
    expect(row.verdict).toBe('regression');
    expect(row.test!.pAdjusted).toBeLessThan(0.01);
    expect(row.test!.method).toContain(`Bonferroni over ${json.family} figures`);
    expect((await cli('compare', run(1), '--baseline', file)).code).toBe(0);
    expect((await cli('baseline', 'show', file)).out).toMatch(/query\.join\.p95\s+mean/);
  });

  it('one run against another: effect sizes only, exit 0, unless a figure with a target is ×10 worse', async () => {
    const same = await cli('compare', run(0), run(1));
    expect(same.code).toBe(0);
    expect(same.out).toContain('no regression');
    expect(same.out).toContain('one run against one run cannot tell noise from change');
    const slow = await slowRun('slow-one', 9, { complex: 2 });
    const twice = await cli('compare', run(0), slow);
    expect(twice.code).toBe(0);
    expect(twice.out).toMatch(/UNVERIFIED\s+complex query p95 .*effect only/);
    const huge = await slowRun('slow-huge', 9, { complex: 30 });
    expect((await cli('compare', run(0), huge)).code).toBe(7);
    expect((await cli('compare', run(0), huge, '--fail-factor', '50')).code).toBe(0);
    expect((await cli('compare', run(0), run(1), '--fail-factor', 'big')).err).toContain("--fail-factor 'big'");
    expect((await cli('compare', run(0), run(1), '--alpha', 'often')).err).toContain("--alpha 'often'");
  });

  it('refuses a baseline of fewer than 3 runs, saying why, unless --allow-few', async () => {
    const file = join(tmp, 'few.json');
    const two = await cli('baseline', 'save', run(0), run(1), '--out', file);
    expect(two.code).toBe(2);
    expect(two.err).toMatch(
      /^error\[RESULTS_ERROR\]: 2 runs cannot show how much a figure varies from run to run: a baseline needs at least 3 \(5 recommended\)\nhint: run the profile 3 more time\(s\)/,
    );
    expect(existsSync(file)).toBe(false);
    const kept = await cli('baseline', 'save', run(0), run(1), '--out', file, '--allow-few');
    expect(kept.code).toBe(0);
    expect(kept.out).toContain('fewer than 3: no spread');
    const res = await cli('compare', run(2), '--baseline', file);
    expect(res.code).toBe(0);
    expect(res.out).toContain('the baseline has 2 run(s), fewer than 3');
    const three = await cli('baseline', 'save', run(0), run(1), run(2), '--out', join(tmp, 'three.json'));
    expect(three.out).toContain('5 recommended: with 3');
    expect((await cli('baseline', 'save', run(0), run(0), run(1), '--out', file)).err).toContain('given twice');
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
