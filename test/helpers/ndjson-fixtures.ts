/**
 * Test fixtures for report/ndjson, report/html and report/compare: synthetic
 * k6 NDJSON streams (deterministic, seeded) written to disk, and run.json
 * objects built the way the pipeline builds them - RunInputs through the real
 * figure builders (report/figures), with each scenario's summary recomputed
 * from its own stream by the merger, as k6 would have summarised it.
 */
import { ladderPlan } from '../../run/index.ts';
import { createRng } from '../../scenarios/lib/random.ts';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { loadConfig, QUERY_TYPES, type Config, type FaultKind } from '../../config/index.ts';
import type { FaultResult } from '../../faults/index.ts';
import { buildFigures, type CheckerOutcome, type RunInputs } from '../../report/figures/index.ts';
import type { K6SummaryData } from '../../report/k6-summary.ts';
import { RUN_SCHEMA, type RunJson } from '../../report/run-json.ts';
import { metricLine, pointLine } from '../../report/ndjson/k6-records.ts';
import { mergeScenario } from '../../report/ndjson/merge.ts';
import type { ScenarioSamples } from '../../report/ndjson/judged-samples.ts';

/** One stretch of load with its own scenario tag (a ladder step is `users_N`). */
export interface LoadStep {
  tag: string;
  startS: number;
  durationS: number;
  /** Requests per second in this step. */
  rps: number;
  /** Median latency of http_req_duration in this step (ms). */
  medianMs: number;
  /** VUs k6 reports (the `vus` gauge, once a second) during the step; default: N of a `users_N` tag, else rps ÷ 2. */
  vus?: number;
}

/** A stretch (epoch ms) in which requests fail more often, as during a fault. */
export interface Outage {
  startMs: number;
  endMs: number;
  failRate: number;
}

export interface StreamSpec {
  startMs: number;
  steps: LoadStep[];
  seed: number;
  /** Share of failed requests. */
  failRate?: number;
  /** Cache hit probability. */
  hitRate?: number;
  /** Multiplies every db_query_duration (to inject a regression). */
  dbFactor?: number;
  /** Multiplies the db_query_duration of some query types only (on top of dbFactor). */
  dbFactorByType?: Partial<Record<string, number>>;
  /** Stretches with a higher share of failed requests. */
  outages?: Outage[];
}

/** The VUs of a step: its own, N of `users_N`, or half its request rate. */
export function stepVus(step: LoadStep): number {
  return step.vus ?? Number(/^users_(\d+)$/.exec(step.tag)?.[1] ?? Math.max(1, Math.round(step.rps / 2)));
}

/** A long-tailed latency: log-normal around the median (σ 0.5) with a 0.5 % tail ×10. */
function latency(r: () => number, medianMs: number): number {
  const u = Math.max(1e-9, r());
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  const v = medianMs * Math.exp(0.5 * z);
  return r() < 0.005 ? v * 10 : v;
}

const QT_MEDIAN: Record<string, number> = { simple: 0.4, join: 1.2, aggregation: 3, complex: 6, index_scan: 0.8 };

/** The Metric declarations and Points of a synthetic run, one k6 JSON line each. */
export function* syntheticLines(spec: StreamSpec): Generator<string> {
  const r = createRng(spec.seed);
  yield metricLine('http_reqs', 'counter');
  yield metricLine('http_req_duration', 'trend', 'time', ['p(95)<2000']);
  yield metricLine('http_req_failed', 'rate');
  yield metricLine('db_query_duration', 'trend', 'time');
  yield metricLine('cache_hit', 'rate');
  yield metricLine('cache_op_duration', 'trend', 'time');
  yield metricLine('vus', 'gauge');
  for (const step of spec.steps) {
    // k6 samples the vus gauge once a second, without a scenario tag (it counts the whole process).
    for (let sec = 0; sec < step.durationS; sec++)
      yield pointLine('vus', spec.startMs + (step.startS + sec) * 1000, stepVus(step), {});
    const n = Math.round(step.rps * step.durationS);
    for (let i = 0; i < n; i++) {
      const t = spec.startMs + (step.startS + (i + r()) / step.rps) * 1000;
      const base = { scenario: step.tag, method: 'GET', status: '200', name: 'GET /api/x' };
      const outage = spec.outages?.find((o) => t >= o.startMs && t < o.endMs);
      const failed = r() < (outage?.failRate ?? spec.failRate ?? 0.001);
      const tags = failed ? { ...base, status: '500' } : base;
      yield pointLine('http_reqs', t, 1, tags);
      yield pointLine('http_req_duration', t, latency(r, step.medianMs), tags);
      yield pointLine('http_req_failed', t, failed ? 1 : 0, tags);
      const qt = QUERY_TYPES[Math.floor(r() * QUERY_TYPES.length)];
      const factor = (spec.dbFactor ?? 1) * (spec.dbFactorByType?.[qt] ?? 1);
      yield pointLine('db_query_duration', t, latency(r, QT_MEDIAN[qt]) * factor, {
        scenario: step.tag,
        query_type: qt,
        name: 'q',
      });
      const hit = r() < (spec.hitRate ?? 0.9);
      // Every fixture read is one the scenarios' cache model expects to hit (scenarios/lib/cache-model.ts).
      const expectation: Record<string, string> = hit
        ? { cache_expect: 'hit' }
        : { cache_expect: 'hit', miss_cause: 'unexpected' };
      yield pointLine('cache_hit', t, hit ? 1 : 0, { scenario: step.tag, name: 'GET /api/x', ...expectation });
      yield pointLine('cache_op_duration', t, latency(r, 0.15), {
        scenario: step.tag,
        op: 'get',
        result: hit ? 'hit' : 'miss',
      });
    }
  }
}

/** Writes a synthetic stream to `file` (streaming, with back-pressure). */
export async function writeStream(file: string, spec: StreamSpec): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const out = createWriteStream(file);
  for (const line of syntheticLines(spec)) if (!out.write(line + '\n')) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** The sub-metrics the pipeline's thresholds select, so the summary carries them (as k6 only summarises selected ones). */
export function summarySkeleton(tags: string[]): K6SummaryData {
  const stats = { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, count: 0 };
  const metrics: K6SummaryData['metrics'] = {
    http_req_duration: { type: 'trend', values: stats },
    db_query_duration: { type: 'trend', values: stats },
    cache_op_duration: { type: 'trend', values: stats },
  };
  for (const qt of QUERY_TYPES) metrics[`db_query_duration{query_type:${qt}}`] = { type: 'trend', values: stats };
  for (const op of ['get', 'set', 'del', 'exists'])
    metrics[`cache_op_duration{op:${op}}`] = { type: 'trend', values: stats };
  for (const t of tags) {
    metrics[`http_req_duration{scenario:${t}}`] = { type: 'trend', values: stats };
    metrics[`http_req_failed{scenario:${t}}`] = { type: 'rate', values: {} };
    metrics[`http_reqs{scenario:${t}}`] = { type: 'counter', values: {} };
  }
  return { metrics };
}

export interface FixtureScenario {
  name: string;
  spec: StreamSpec;
}

/** A fault of a fixture run: planned in the configuration, "injected" with a measured window, failing requests. */
export interface FixtureFault {
  kind: FaultKind;
  /** Seconds after the scenarios started, as `--fault KIND@AT:DURATION`. */
  atSeconds: number;
  durationSeconds: number;
  /** Default true; false: the load ended before it (written as not injected). */
  injected?: boolean;
  /** Share of requests failing during the window (default 0.5). */
  failRate?: number;
}

/**
 * The FaultResult an injector and the timeline would have reported: the
 * window measured a little after the planned start (the injector's command
 * takes time) and a little longer than planned (until the server answers).
 */
export function fixtureFaultResult(f: FixtureFault, originMs: number): FaultResult {
  const injected = f.injected ?? true;
  const startedAt = injected ? originMs + f.atSeconds * 1000 + 150 : null;
  return {
    kind: f.kind,
    label: `${f.kind}@${f.atSeconds}s:${f.durationSeconds}s`,
    atSeconds: f.atSeconds,
    durationSeconds: f.durationSeconds,
    injected,
    startedAt,
    endedAt: startedAt === null ? null : startedAt + f.durationSeconds * 1000 + 400,
    method: injected ? 'fixture' : 'n/a',
    notes: [],
    error: null,
    pool: null,
    windows: null,
    recovery: injected
      ? { seconds: 1, recovered: true, target: 0.99, stableSeconds: 3, note: null }
      : { seconds: null, recovered: null, target: 0.99, stableSeconds: 3, note: 'not injected' },
    errorsByKind: injected ? { 'HTTP 503': 1 } : {},
  };
}

/** Writes each scenario's k6 outputs into `dir` as the pipeline lays them out, and returns a run.json built with the real builders. */
export async function writeFixtureRun(
  dir: string,
  scenarios: FixtureScenario[],
  opts: {
    runId?: string;
    config?: Readonly<Config>;
    checkers?: CheckerOutcome[];
    poolSeconds?: number;
    /** Faults: in the configuration, in faults.json (unless writeFaultsJson is false), failing the streams' requests. */
    faults?: FixtureFault[];
    writeFaultsJson?: boolean;
    /** Judge the figures as run/write-results.ts does: reasons, exit code 4 and verdict for missed targets. */
    judge?: boolean;
  } = {},
): Promise<RunJson> {
  const base = opts.config ?? loadConfig({ profile: 'smoke', env: {} });
  const config: Readonly<Config> = opts.faults
    ? {
        ...base,
        faults: opts.faults.map((f) => ({ kind: f.kind, atSeconds: f.atSeconds, durationSeconds: f.durationSeconds })),
      }
    : base;
  // The fault schedule's clock starts with the scenarios.
  const origin = Math.min(...scenarios.map((s) => s.spec.startMs));
  const faults = (opts.faults ?? [])
    .map((f) => ({ f, r: fixtureFaultResult(f, origin) }))
    .sort((a, b) => a.f.atSeconds - b.f.atSeconds);
  const outages: Outage[] = faults
    .filter(({ r }) => r.startedAt !== null && r.endedAt !== null)
    .map(({ f, r }) => ({ startMs: r.startedAt!, endMs: r.endedAt!, failRate: f.failRate ?? 0.5 }));
  const outcomes: RunInputs['scenarios'] = [];
  const samples: Record<string, ScenarioSamples> = {};
  const runScenarios: RunJson['scenarios'] = [];
  const { writeFileSync } = await import('node:fs');
  let start = Infinity;
  let end = -Infinity;
  for (const s of scenarios) {
    const files = {
      summaryExport: `k6/${s.name}.summary-export.json`,
      summaryData: `k6/${s.name}.summary.json`,
      metrics: `k6/${s.name}.metrics.ndjson`,
    };
    await writeStream(join(dir, files.metrics), outages.length ? { ...s.spec, outages } : s.spec);
    const skeletonFile = join(dir, files.summaryData);
    writeFileSync(skeletonFile, JSON.stringify(summarySkeleton(s.spec.steps.map((x) => x.tag))));
    const merged = await mergeScenario(
      s.name,
      [{ name: s.name, metrics: join(dir, files.metrics), summaryData: skeletonFile, summaryExport: null }],
      [dir],
    );
    samples[s.name] = merged.judged;
    const summary = merged.summary;
    delete (summary as Record<string, unknown>).merged;
    writeFileSync(skeletonFile, JSON.stringify(summary, null, 2));
    const durationS = Math.max(...s.spec.steps.map((x) => x.startS + x.durationS));
    start = Math.min(start, s.spec.startMs);
    end = Math.max(end, s.spec.startMs + durationS * 1000);
    outcomes.push({ name: s.name, summary, exitCode: 0, engine: 'embedded', engineLimited: false, durationS });
    runScenarios.push({
      name: s.name,
      exitCode: 0,
      engine: 'embedded',
      engineLimited: false,
      durationS,
      startedAt: new Date(s.spec.startMs).toISOString(),
      files,
    });
  }
  const checkers: CheckerOutcome[] = opts.checkers ?? [
    fixtureChecker('cache-db-sync', 5000, { stale: 0, orphan: 0 }, 120),
    fixtureChecker('referential-integrity', 12000, { orphan_rule_principle: 3 }, 340),
  ];
  const inputs: RunInputs = {
    config,
    scenarios: outcomes,
    pg: null,
    redis: null,
    target: null,
    infra: {
      pgVersion: '15',
      redisVersion: '7',
      pgRttMs: 0.2,
      redisRttMs: 0.1,
      targetHealthMs: 1.5,
      targetUrl: 'http://127.0.0.1:8080',
    },
    checks: { ok: checkers.every((c) => Object.values(c.violations).every((n) => n === 0)), checkers },
    plans: [],
    ladder: ladderPlan(config),
    samples,
  };
  const faultResults = faults.map(({ r }) => r);
  const { figures, tables } = buildFigures(inputs, faultResults);
  if (faultResults.length && opts.writeFaultsJson !== false)
    writeFileSync(join(dir, 'faults.json'), JSON.stringify(faultResults, null, 2));
  // As run/write-results.ts words them (a missed target with its raw value).
  const missed = opts.judge ? figures.filter((f) => f.target && f.pass !== true) : [];
  const reasons = missed.map(
    (f) => `target missed: ${f.label} ${f.pass === null ? 'not measured' : `= ${f.value} (${f.source})`}`,
  );
  const pool: RunJson['timeSeries']['pool'] = [];
  const poolSeconds = opts.poolSeconds ?? Math.round((end - start) / 1000);
  const r = createRng(7);
  let hits = 0;
  let misses = 0;
  for (let i = 0; i <= poolSeconds; i++) {
    hits += Math.round(50 + r() * 10);
    misses += Math.round(5 + r() * 3);
    pool.push({
      t: start + i * 1000,
      inUse: Math.round(5 + 10 * r()),
      idle: Math.round(10 * r()),
      waiting: r() < 0.1 ? Math.round(3 * r()) : 0,
      max: 60,
      cacheHits: hits,
      cacheMisses: misses,
    });
  }
  return {
    schema: RUN_SCHEMA,
    runId: opts.runId ?? 'fixture-run',
    profile: config.profile,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(end).toISOString(),
    durationS: (end - start) / 1000,
    exitCode: reasons.length ? 4 : 0,
    verdict: reasons.length ? 'FAIL (exit 4)' : 'PASS',
    reasons,
    engine: 'embedded',
    config,
    environment: {
      node: process.version,
      platform: 'test',
      cpus: 2,
      cpuModel: 'test cpu',
      memoryBytes: 2 ** 32,
      loadavgStart: [0, 0, 0],
      loadavgEnd: [0, 0, 0],
      pgVersion: '15',
      redisVersion: '7',
      services: { postgres: 'local', redis: 'local', target: 'started by the run' },
      notes: [],
    },
    stages: [{ name: 'scenarios', ms: end - start, ok: true }],
    figures,
    tables,
    scenarios: runScenarios,
    timeSeries: { pool },
    checks: inputs.checks,
    plans: [],
    slowQueries: [],
  };
}

/** The ladder as the smoke profile runs it: 10/25/50/100 users, `stepS` seconds each. */
export function ladderSteps(stepS: number, rpsPerUser = 2): LoadStep[] {
  return [10, 25, 50, 100].map((u, i) => ({
    tag: `users_${u}`,
    startS: i * stepS,
    durationS: stepS,
    rps: u * rpsPerUser,
    medianMs: 2 + u / 20,
  }));
}

/** A checker outcome for fixtures, its score derived from its counts as the checkers derive it (0 checked: NO DATA). */
export function fixtureChecker(
  name: CheckerOutcome['name'],
  checked: number,
  violations: Record<string, number>,
  durationMs: number,
): CheckerOutcome {
  const bad = Object.values(violations).reduce((a, b) => a + b, 0);
  return {
    name,
    checked,
    violations,
    score: checked === 0 ? null : 1 - bad / checked,
    ...(checked === 0 ? { noData: '0 items checked' } : {}),
    examples: {},
    durationMs,
    notes: [],
  };
}
