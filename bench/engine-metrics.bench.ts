/**
 * Benchmark of the engine's metric core, printed side by side with its
 * peers: raw hdr-histogram-js (what autocannon records latencies with) and
 * an exact sorted array (k6's Trend before v1). Figures, not assertions.
 *
 *   node bin/run-ts.js bench/engine-metrics.bench.ts [samples]
 */
import * as hdr from 'hdr-histogram-js';
import { Registry, TrendSink, defineBuiltinMetrics } from '../engine/metrics/index.ts';
import { evaluateThresholds, parseThresholds } from '../engine/thresholds/index.ts';

const N = Number(process.argv[2] ?? 1_000_000);

/** Log-normal latencies around 7 ms (deterministic LCG so runs compare). */
function latencies(n: number): Float64Array {
  const out = new Float64Array(n);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
  for (let i = 0; i < n; i++)
    out[i] = Math.exp(Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd()) * 0.6 + 2);
  return out;
}

function time<T>(fn: () => T): [T, number] {
  const t0 = process.hrtime.bigint();
  const r = fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
}

const values = latencies(N);
const rate = (ms: number) => `${(((N / ms) * 1000) / 1e6).toFixed(2)} M/s`;
const ps = [0.5, 0.9, 0.95, 0.99, 0.999];

// 1. Recording throughput.
const sink = new TrendSink();
const [, tSink] = time(() => values.forEach((v) => sink.add(v)));
const raw = hdr.build({ bitBucketSize: 32, useWebAssembly: false, numberOfSignificantValueDigits: 3 });
const [, tRaw] = time(() => values.forEach((v) => raw.recordValue(Math.round(v * 1000))));
const arr: number[] = [];
const [, tArr] = time(() => values.forEach((v) => arr.push(v)));

// 2. Percentiles: time and accuracy against the exact interpolated value.
const [sorted, tSort] = time(() => [...arr].sort((a, b) => a - b));
const exact = (p: number) => {
  const i = p * (sorted.length - 1);
  return sorted[Math.floor(i)] + (sorted[Math.ceil(i)] - sorted[Math.floor(i)]) * (i - Math.floor(i));
};
const [ours, tPct] = time(() => sink.percentiles(ps));
const [rawPct, tRawPct] = time(() => ps.map((p) => raw.getValueAtPercentile(p * 100) / 1000));
const relErr = (got: number[]) => Math.max(...got.map((g, i) => Math.abs(g - exact(ps[i])) / exact(ps[i])));

// 3. Registry.add with the built-ins, two sub-metrics and a listener (the NDJSON hook).
const reg = new Registry();
defineBuiltinMetrics(reg);
const defs = parseThresholds(
  { 'http_req_duration{status:200}': ['p(95)<500'], http_req_duration: ['p(99)<1000'] },
  reg,
);
let listened = 0;
reg.onSample(() => listened++);
const tags = { status: '200', method: 'GET', expected_response: 'true', scenario: 'default' };
const [, tReg] = time(() =>
  values.forEach((v, i) => reg.add({ metric: 'http_req_duration', value: v, tags, time: i })),
);
const [, tEval] = time(() => evaluateThresholds(defs, reg, 60_000));

const row = (a: string, b: string, c: string, d: string) => console.log(a.padEnd(34) + b.padEnd(22) + c.padEnd(22) + d);
console.log(`engine metrics benchmark: ${N.toLocaleString()} log-normal samples (median ~7.4 ms)\n`);
row('', 'engine TrendSink', 'raw hdr-histogram-js', 'exact sorted array');
row(
  'record',
  `${tSink.toFixed(0)} ms (${rate(tSink)})`,
  `${tRaw.toFixed(0)} ms (${rate(tRaw)})`,
  `${tArr.toFixed(0)} ms push`,
);
row('percentiles p50..p99.9', `${tPct.toFixed(2)} ms`, `${tRawPct.toFixed(2)} ms`, `${tSort.toFixed(0)} ms sort`);
row(
  'max relative error vs exact',
  `${(relErr(ours) * 100).toFixed(4)} %`,
  `${(relErr(rawPct) * 100).toFixed(4)} %`,
  '0 %',
);
row(
  'memory',
  `${(sink.footprintBytes / 1024).toFixed(0)} KiB`,
  `${(raw.estimatedFootprintInBytes / 1024).toFixed(0)} KiB`,
  `${((N * 8) / 1024).toFixed(0)} KiB (8 B/sample)`,
);
row(
  'serialised (toJSON)',
  `${(JSON.stringify(sink.toJSON()).length / 1024).toFixed(1)} KiB`,
  `${(hdr.encodeIntoCompressedBase64(raw).length / 1024).toFixed(1)} KiB`,
  '-',
);
console.log(
  `\nRegistry.add (metric + 2 matching sub-metrics + 1 listener): ${tReg.toFixed(0)} ms, ${rate(tReg)}; listener saw ${listened}`,
);
console.log(`evaluateThresholds (2 percentile thresholds over ${N.toLocaleString()} samples): ${tEval.toFixed(2)} ms`);
