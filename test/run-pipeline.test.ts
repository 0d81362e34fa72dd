/**
 * `acgs-load run` end to end, as a user runs it (the CLI in a child process),
 * on its own database and key prefix: every result file is written; every
 * figure in report.md is rendered from run.json and the k6-derived ones equal
 * summary.json; without pg_stat_statements the report says why instead of
 * printing zeros; a target the profile sets out of reach fails the run with
 * exit code 4 and a failing JUnit case; docker-compose.yml validates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownReport } from '../report/markdown.ts';
import { reportHeader, appendixLines } from '../report/html/run-header.ts';
import { parseRunJson, type RunJson } from '../report/run-json.ts';
import { tempDir } from './helpers/temp.ts';
import { clearPrefix, createTestDatabase, newRedis, testPrefix, type TestDatabase } from './helpers/services.ts';

const prefix = testPrefix('run_pipeline');
const redis = newRedis();
let db: TestDatabase;
let dir: string;

function run(profile: object, name: string, extra: string[] = []) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(profile));
  const res = spawnSync(
    process.execPath,
    ['bin/acgs-load.js', 'run', '--profile', file, '--results-dir', join(dir, 'results'), '--quiet', ...extra],
    {
      env: { ...process.env, BASE_URL: '', DATABASE_URL: db.url, ACGS_REDIS_PREFIX: prefix },
      encoding: 'utf8',
      timeout: 180_000,
    },
  );
  const resultsPath = /^results: (.+)$/m.exec(res.stdout)?.[1];
  return { ...res, resultsPath };
}

const SMALL = {
  description: 'test: smoke at scale 0.05',
  seed: { scale: 0.05, seed: 11 },
  load: { scenarios: ['smoke'] },
  checks: { graceSeconds: 1 },
  // Targets no machine can miss, however busy: this file tests the pipeline, its
  // files and its verdict logic; a missed target is tested on purpose below.
  targets: {
    // smoke's few queries of a type cannot support a p95/p99 (as the shipped smoke profile)
    percentiles: false,
    cacheHitRate: 0.5,
    poolEfficiency: 0,
    avgQueryMs: 60_000,
    redisOpMs: 60_000,
    queryTypes: Object.fromEntries(
      ['simple', 'join', 'aggregation', 'complex', 'index_scan'].map((t) => [t, { p95Ms: 60_000, p99Ms: 60_000 }]),
    ),
  },
};

describe('acgs-load run', () => {
  let pass: ReturnType<typeof run>;
  let runJson: RunJson;
  beforeAll(async () => {
    db = await createTestDatabase('run_pipeline');
    dir = tempDir('acgs-run-');
    await clearPrefix(redis, prefix);
    pass = run(SMALL, 'small');
    runJson = parseRunJson(readFileSync(join(pass.resultsPath!, 'run.json'), 'utf8'), 'run.json');
  }, 240_000);
  afterAll(async () => {
    await clearPrefix(redis, prefix);
    redis.disconnect();
    await db?.drop();
  });

  it('passes and writes every result file, with results/latest pointing at it', () => {
    expect(pass.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(pass.status, pass.stdout.slice(-3000)).toBe(0);
    for (const f of [
      'run.json',
      'summary.json',
      'report.md',
      'report.html',
      'junit.xml',
      'k6/smoke.summary-export.json',
      'k6/smoke.summary.json',
      'k6/smoke.metrics.ndjson',
    ]) {
      expect(existsSync(join(pass.resultsPath!, f)), f).toBe(true);
    }
    expect(readlinkSync(join(dir, 'results', 'latest'))).toBe(runJson.runId);
    // One line per stage as it starts and as it ends.
    for (const stage of [
      'preflight: services',
      'migrate',
      'seed',
      'warm',
      'api',
      'scenarios',
      'quiesce',
      'checks',
      'results',
    ]) {
      expect(pass.stdout).toContain(`▶ ${stage}`);
      expect(pass.stdout).toMatch(new RegExp(`✓ ${stage.replace(/[:]/g, '\\$&')} \\(`));
    }
  });

  it('renders report.md from run.json alone (no figure typed in)', () => {
    const md = readFileSync(join(pass.resultsPath!, 'report.md'), 'utf8');
    expect(md).toBe(markdownReport(reportHeader(runJson), runJson.figures, runJson.tables, appendixLines(runJson)));
    expect(md).toContain('## Query performance by type');
    expect(md).toContain('## Data consistency validation');
  });

  it('takes its k6 figures from the summary, and its consistency figures from the checkers', () => {
    const summary = JSON.parse(readFileSync(join(pass.resultsPath!, 'summary.json'), 'utf8')).smoke;
    const fig = (id: string) => runJson.figures.find((f) => f.id === id)!;
    for (const qt of ['simple', 'join', 'aggregation', 'complex', 'index_scan']) {
      const m = summary.metrics[`db_query_duration{query_type:${qt}}`];
      expect(fig(`query.${qt}.p95`).value, qt).toBe(m.values['p(95)']);
      expect(fig(`query.${qt}.count`).value, qt).toBe(m.values.count);
      expect(m.values.count, `${qt} was timed`).toBeGreaterThan(0);
    }
    expect(fig('scenario.smoke.requests').value).toBe(summary.metrics.http_reqs.values.count);
    // Judged on the reads where a hit was expected (scenarios/lib/cache-model.ts); the overall rate beside it.
    expect(fig('cache.hitRate').value).toBe(summary.metrics['cache_hit{cache_expect:hit}'].values.rate);
    expect(fig('cache.hitRate.all').value).toBe(summary.metrics.cache_hit.values.rate);
    const checks = runJson.checks as { checkers: Array<{ name: string; checked: number }> };
    for (const c of checks.checkers) expect(fig(`consistency.${c.name}.checked`).value).toBe(c.checked);
    expect(checks.checkers.find((c) => c.name === 'cache-db-sync')!.checked).toBeGreaterThan(0);
  });

  it('says why pg_stat_statements figures are missing instead of printing zeros', () => {
    const preload = execFileSync('psql', ['-Atc', 'SHOW shared_preload_libraries', db.url], { encoding: 'utf8' });
    const md = readFileSync(join(pass.resultsPath!, 'report.md'), 'utf8');
    const pgMeans = runJson.figures.filter((f) => /^query\.\w+\.pg\.mean$/.test(f.id));
    expect(pgMeans).toHaveLength(5);
    if (!preload.includes('pg_stat_statements')) {
      for (const f of pgMeans) expect(f.value).toBeNull();
      expect(md).toContain("pg_stat_statements is not in the server's shared_preload_libraries");
    } else {
      expect(pgMeans.some((f) => f.value !== null)).toBe(true);
    }
  });

  it("takes the server-side snapshot after the API's backends flushed their statistics", () => {
    // Each statement the API timed (Server-Timing -> k6 db_query_duration) ran in a
    // transaction that ended; a snapshot taken before the API's backends flushed
    // (PostgreSQL 15+ flushes idle backends only after 10 s) would miss some of them.
    const value = (id: string) => runJson.figures.find((f) => f.id === id)?.value ?? null;
    const statements = runJson.figures
      .filter((f) => /^query\.\w+\.count$/.test(f.id))
      .reduce((a, f) => a + (f.value ?? 0), 0);
    expect(statements).toBeGreaterThan(0);
    expect(value('pg.commits')! + value('pg.rollbacks')!).toBeGreaterThanOrEqual(statements);
    // the API this run started was stopped for it, after the quiesce stage
    const order = ['quiesce', 'snapshot: after', 'checks'].map((st) => pass.stdout.indexOf(`✓ ${st} (`));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('compares with a baseline given by --baseline and writes the comparison', () => {
    const baseline = join(dir, 'baseline.json');
    const saved = spawnSync(
      process.execPath,
      // one run: fewer than a baseline needs (3), kept with --allow-few (judged as one run against another)
      ['bin/acgs-load.js', 'baseline', 'save', pass.resultsPath!, '--out', baseline, '--allow-few'],
      { env: { ...process.env, BASE_URL: '' }, encoding: 'utf8' },
    );
    expect(saved.status, saved.stderr).toBe(0);
    const again = run(SMALL, 'small-again', ['--baseline', baseline]);
    expect([0, 7], again.stdout.slice(-2000)).toContain(again.status);
    const md = readFileSync(join(again.resultsPath!, 'comparison.md'), 'utf8');
    expect(md).toMatch(/regression/i);
    const r = JSON.parse(readFileSync(join(again.resultsPath!, 'run.json'), 'utf8')) as RunJson;
    expect(readFileSync(join(again.resultsPath!, 'comparison.txt'), 'utf8')).toContain(
      `acgs-load compare: run ${r.runId}`,
    );
    // exit 7 exactly when the comparison found a regression, and the reasons say so
    expect(r.exitCode === 7).toBe(r.reasons.some((x) => x.startsWith('regression against')));
    // compare --json: stdout is the comparison alone (the table goes to stderr), for CI to parse
    const cmp = spawnSync(
      process.execPath,
      ['bin/acgs-load.js', 'compare', pass.resultsPath!, again.resultsPath!, '--json'],
      {
        env: { ...process.env, BASE_URL: '' },
        encoding: 'utf8',
      },
    );
    expect([0, 7]).toContain(cmp.status);
    const parsed = JSON.parse(cmp.stdout) as { regressed: boolean; rows: unknown[] };
    expect(parsed.regressed).toBe(cmp.status === 7);
    expect(parsed.rows.length).toBeGreaterThan(0);
    expect(cmp.stderr).toContain('acgs-load compare:');
  }, 240_000);

  it('fails with exit code 4 and a failing JUnit case when a target is out of reach', () => {
    const jsonFile = join(dir, 'impossible.outcome.json');
    const fail = run({ ...SMALL, targets: { ...SMALL.targets, avgQueryMs: 0.0001 } }, 'impossible', [
      '--json',
      jsonFile,
    ]);
    expect(fail.status, fail.stdout.slice(-2000)).toBe(4);
    // run --json FILE: the verdict, the reasons and every figure, as run.json has them
    const outcome = JSON.parse(readFileSync(jsonFile, 'utf8')) as {
      exitCode: number;
      verdict: string;
      reasons: string[];
      figures: RunJson['figures'];
    };
    expect(outcome.exitCode).toBe(4);
    expect(outcome.verdict).toBe('FAIL (exit 4)');
    expect(outcome.reasons.join('\n')).toContain('Average query time');
    expect(fail.stderr).not.toMatch(/\n\s+at /);
    const junit = readFileSync(join(fail.resultsPath!, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites /);
    expect(junit).toMatch(
      /<testcase classname="targets" name="Average query time \(all types\) ≤ 0\.000 ms"[^>]*>\s*<failure message="measured [^"]+, target ≤ 0\.000 ms"/,
    );
    // every element closed: as many <testcase as </testcase> + self-closed ones
    const open = (junit.match(/<testcase /g) ?? []).length;
    const closed = (junit.match(/<\/testcase>/g) ?? []).length + (junit.match(/<testcase [^>]*\/>/g) ?? []).length;
    expect(closed).toBe(open);
    const r = JSON.parse(readFileSync(join(fail.resultsPath!, 'run.json'), 'utf8')) as RunJson;
    expect(r.exitCode).toBe(4);
    expect(r.reasons.join('\n')).toContain('Average query time');
  }, 240_000);
});

describe('docker-compose.yml', () => {
  it('validates with docker-compose, with the k6 service behind its profile', () => {
    const which = spawnSync('sh', ['-c', 'command -v docker-compose'], { encoding: 'utf8' });
    expect(which.status, 'docker-compose is not installed: apt-get install docker-compose (.ci/run does)').toBe(0);
    const res = spawnSync('docker-compose', ['config', '-q'], { encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const services = spawnSync('docker-compose', ['--profile', 'k6', 'config', '--services'], { encoding: 'utf8' });
    expect(services.stdout.trim().split('\n').sort()).toEqual(['api', 'k6', 'postgres', 'redis']);
    // docker-compose v1 lists every service; the resolved file shows k6 is behind its profile.
    const full = spawnSync('docker-compose', ['config'], { encoding: 'utf8' }).stdout;
    expect(full).toMatch(/\n  k6:\n(?:    .*\n|      .*\n)*?    profiles:\n    - k6\n/);
    expect(full).toContain('shared_preload_libraries=pg_stat_statements');
  });
});
