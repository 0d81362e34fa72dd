/**
 * "Cache effectiveness" and "Cache misses by cause". The judged hit rate is
 * over the reads where the scenarios' cache model expected a hit (k6
 * `cache_hit{cache_expect:hit}`, scenarios/lib/cache-model.ts): a miss there
 * is the cache failing when it should have served. Beside it, not judged:
 * the hit rate of every cacheable read, the target's lookups, Redis'
 * keyspace; then each miss cause with its count and Redis' evicted keys.
 */
import { judge, type Figure } from '../figure.ts';
import { metric, value } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import { judgedSource, sampleCount, type JudgedSamples, type RunInputs } from './inputs.ts';
import { MISS_CAUSES } from '../ndjson/judged-samples.ts';
import { sumOf } from '../../measure/index.ts';

/** What each miss cause means, as the cache model decides it. */
const CAUSES: Record<(typeof MISS_CAUSES)[number], string> = {
  never_warmed: "the VU's first read of a key the published warm set does not list",
  first_read:
    "the VU's first read of a key nothing says was cached (no warm set, or one that does not list the family)",
  expired: 'past its TTL policy since it was warmed or last stored',
  invalidated: "deleted by a write since: the VU's own, or another's seen as a new version in the answer",
  unexpected: 'a hit was expected: the cache failed to serve (these are the judged misses)',
};

/** The hit rate figures, the effectiveness table (its first row is `redisRow`) and the miss-cause table. */
export function hitRateFigures(
  inputs: RunInputs,
  judged: JudgedSamples,
  redisRow: Table['rows'][number],
): { figures: Figure[]; tables: Table[] } {
  const figures: Figure[] = [];
  const expected = metric(judged.summary, 'cache_hit', { cache_expect: 'hit' });
  const n = sampleCount(expected) ?? 0;
  const note =
    judged.noData ??
    (n === 0
      ? `no read where a hit was expected in the judged scenarios (${judged.scenarios.join(', ') || 'none'}): NO DATA`
      : undefined);
  figures.push(
    judge(
      {
        id: 'cache.hitRate',
        label: 'Cache hit rate (reads where a hit was expected)',
        value: n > 0 ? value(expected, 'rate') : null,
        unit: 'ratio',
        source: judgedSource("k6 cache_hit{cache_expect:hit} (X-Cache, the scenarios' cache model)", judged, n),
        side: 'client',
        higherIsBetter: true,
        ...(note ? { note } : {}),
      },
      { op: '>=', value: inputs.config.targets.cacheHitRate },
    ),
  );
  const all = metric(judged.summary, 'cache_hit');
  figures.push({
    id: 'cache.hitRate.all',
    label: 'Cache hit rate (every cacheable read, not judged)',
    value: value(all, 'rate'),
    unit: 'ratio',
    source: judgedSource('k6 cache_hit (X-Cache HIT vs MISS or BYPASS)', judged, sampleCount(all)),
    side: 'client',
    higherIsBetter: true,
  });
  figures.push(...serverSideRates(inputs));
  const causeRows: Table['rows'] = [];
  for (const cause of MISS_CAUSES) {
    const m = metric(judged.summary, 'cache_hit', { miss_cause: cause });
    figures.push({
      id: `cache.miss.${cause}`,
      label: `Misses: ${cause.replace('_', ' ')}`,
      value: judged.summary ? (sampleCount(m) ?? 0) : null,
      unit: 'count',
      source: judgedSource(`k6 cache_hit{miss_cause:${cause}}`, judged, sampleCount(m)),
      side: 'client',
      // More unexpected misses is worse (compare's direction); the other causes describe the workload.
      ...(cause === 'unexpected' ? { higherIsBetter: false } : {}),
    });
    causeRows.push([cause, { figure: `cache.miss.${cause}` }, CAUSES[cause]]);
  }
  causeRows.push([
    'evicted (Redis)',
    { figure: 'cache.evictions' },
    'keys Redis evicted under its memory limit, server-wide (every client of this Redis): not attributed to reads; an evicted key a read expected counts as unexpected above',
  ]);
  return { figures, tables: [effectivenessTable(redisRow), causesTable(causeRows, judged)] };
}

/** The target's own lookup hit rate, Redis' keyspace hit rate, evictions and memory. */
function serverSideRates(inputs: RunInputs): Figure[] {
  const tgt = inputs.target;
  let targetRate: number | null = null;
  if (tgt?.before && tgt.after) {
    const d = (r: string) =>
      sumOf(tgt.after!, 'acgs_cache_lookups_total', { result: r }) -
      sumOf(tgt.before!, 'acgs_cache_lookups_total', { result: r });
    const hits = d('hit');
    const misses = d('miss');
    targetRate = hits + misses > 0 ? hits / (hits + misses) : null;
  }
  return [
    {
      id: 'cache.hitRate.target',
      label: 'Cache hit rate (target lookups)',
      value: targetRate,
      unit: 'ratio',
      source: 'target /metrics acgs_cache_lookups_total hit/(hit+miss), run delta',
      side: 'server',
      higherIsBetter: true,
    },
    {
      id: 'cache.hitRate.redis',
      label: 'Keyspace hit rate (Redis)',
      value: inputs.redis?.hitRate ?? null,
      unit: 'ratio',
      source: 'Redis INFO keyspace_hits/(hits+misses), run delta, whole server',
      side: 'server',
      higherIsBetter: true,
    },
    {
      id: 'cache.evictions',
      label: 'Evicted keys',
      value: inputs.redis?.evictedKeys ?? null,
      unit: 'count',
      source: 'Redis INFO evicted_keys, run delta, whole server',
      side: 'server',
    },
    {
      id: 'cache.memory',
      label: 'Redis memory used',
      value: inputs.redis?.memoryUsedBytes ?? null,
      unit: 'bytes',
      source: 'Redis INFO used_memory at run end',
      side: 'server',
    },
  ];
}

const row = (label: string, id: string, judgedRow = false): Table['rows'][number] => [
  label,
  { figure: id },
  judgedRow ? { figure: id, show: 'target' } : '',
  judgedRow ? { figure: id, show: 'verdict' } : '',
  { figure: id, show: 'source' },
];

function effectivenessTable(redisRow: Table['rows'][number]): Table {
  return {
    title: 'Cache effectiveness',
    intro:
      "The hit rate is judged on the reads where the scenarios' cache model expected a hit (the key was warmed, or read or written earlier by the same VU, inside its TTL policy and not invalidated since): a miss there is the cache failing when it should have served. The hit rate of every cacheable read is shown beside it, not judged: first reads of keys nobody warmed miss by design.",
    columns: ['figure', 'value', 'target', 'verdict', 'source'],
    rows: [
      redisRow,
      row('Cache hit rate (expected hits)', 'cache.hitRate', true),
      row('Cache hit rate (every cacheable read)', 'cache.hitRate.all'),
      row('Cache hit rate (target)', 'cache.hitRate.target'),
      row('Keyspace hit rate (Redis)', 'cache.hitRate.redis'),
      row('Evicted keys', 'cache.evictions'),
      row('Memory used', 'cache.memory'),
    ],
  };
}

function causesTable(rows: Table['rows'], judged: JudgedSamples): Table {
  return {
    title: 'Cache misses by cause',
    intro: `Why each missed read of the judged scenarios (${judged.scenarios.join(', ') || 'none'}) missed, as the scenarios' cache model tagged it at request time (k6 cache_hit{miss_cause:…}). Only "unexpected" counts against the hit rate.`,
    columns: ['cause', 'misses', 'what it means'],
    rows,
  };
}
