/**
 * "Cache operations" and "TTL policies as enforced": per Redis operation the
 * time the target measured (Server-Timing `cache` entries -> k6
 * cache_op_duration) beside Redis' own commandstats. The hit rate and the
 * miss causes: cache-hits.ts.
 */
import { CACHE_DATA_TYPES } from '../../config/index.ts';
import { judge, type Figure } from '../figure.ts';
import { metric, value } from '../k6-summary.ts';
import type { Table } from '../tables.ts';
import { apiHistogram, judgedSamples, judgedSource, sampleCount, type RunInputs } from './inputs.ts';
import { CACHE_OPS } from '../ndjson/judged-samples.ts';
import { hitRateFigures } from './cache-hits.ts';

export function cacheFigures(inputs: RunInputs): { figures: Figure[]; tables: Table[] } {
  const figures: Figure[] = [];
  const rows: Table['rows'] = [];
  // Judged on the samples of every measured-load scenario merged (targets.judgedOn).
  const judged = judgedSamples(inputs, 'cache');
  for (const op of CACHE_OPS) {
    const m = metric(judged.summary, 'cache_op_duration', { op });
    const src = judgedSource(`k6 cache_op_duration{op:${op}} from Server-Timing`, judged, sampleCount(m));
    figures.push({
      id: `cache.${op}.avg`,
      label: `${op.toUpperCase()} avg`,
      value: value(m, 'avg'),
      unit: 'ms',
      source: src,
      side: 'server',
    });
    figures.push({
      id: `cache.${op}.p95`,
      label: `${op.toUpperCase()} p95`,
      value: value(m, 'p(95)'),
      unit: 'ms',
      source: src,
      side: 'server',
    });
    figures.push({
      id: `cache.${op}.count`,
      label: `${op.toUpperCase()} timed`,
      value: value(m, 'count'),
      unit: 'count',
      source: src,
      side: 'server',
    });
    const h = apiHistogram(inputs, 'acgs_cache_op_duration_seconds', { op });
    figures.push({
      id: `cache.${op}.target.avg`,
      label: `${op.toUpperCase()} avg (target)`,
      value: h && h.count > 0 ? (h.sum / h.count) * 1000 : null,
      unit: 'ms',
      source: 'target /metrics acgs_cache_op_duration_seconds (run delta)',
      side: 'server',
    });
    const cmd = inputs.redis?.commands[op];
    figures.push({
      id: `cache.${op}.redis.calls`,
      label: `${op.toUpperCase()} calls (Redis)`,
      value: cmd ? cmd.calls : null,
      unit: 'count',
      source: 'Redis INFO commandstats calls (run delta, whole server)',
      side: 'server',
    });
    figures.push({
      id: `cache.${op}.redis.usec`,
      label: `${op.toUpperCase()} µs/call (Redis)`,
      value: cmd?.usecPerCall ?? null,
      unit: 'us',
      source: 'Redis INFO commandstats usec/calls (run delta, whole server)',
      side: 'server',
    });
    rows.push([
      op.toUpperCase(),
      { figure: `cache.${op}.avg` },
      { figure: `cache.${op}.p95` },
      { figure: `cache.${op}.count` },
      { figure: `cache.${op}.target.avg` },
      { figure: `cache.${op}.redis.calls` },
      { figure: `cache.${op}.redis.usec` },
    ]);
  }
  const t = inputs.config.targets;
  const allOps = metric(judged.summary, 'cache_op_duration');
  figures.push(
    judge(
      {
        id: 'cache.all.avg',
        label: 'Redis operation time (avg, all operations)',
        value: value(allOps, 'avg'),
        unit: 'ms',
        source: judgedSource('k6 cache_op_duration (Server-Timing)', judged, sampleCount(allOps)),
        side: 'server',
      },
      { op: '<=', value: t.redisOpMs },
    ),
  );

  const opsTable: Table = {
    title: 'Cache operations',
    intro:
      "Redis time per operation as the target measured it for each request (Server-Timing `cache` entries), its own histogram, and Redis' commandstats (server-wide: other clients of the same Redis are included).",
    columns: ['operation', 'avg', 'p95', 'timed', 'avg (target /metrics)', 'calls (Redis)', 'µs/call (Redis)'],
    rows,
    notes: inputs.redis?.restarted
      ? ['Redis restarted during the run (INFO run_id changed): its counters here are only those since the restart.']
      : [],
  };
  const hits = hitRateFigures(inputs, judged, [
    'Redis operation time (avg)',
    { figure: 'cache.all.avg' },
    { figure: 'cache.all.avg', show: 'target' },
    { figure: 'cache.all.avg', show: 'verdict' },
    { figure: 'cache.all.avg', show: 'source' },
  ]);
  figures.push(...hits.figures);
  return { figures, tables: [opsTable, ...hits.tables, ttlTable(inputs, figures)] };
}

/** The TTL policy table as enforced: configured seconds and what the cache-db sync checker saw. */
function ttlTable(inputs: RunInputs, figures: Figure[]): Table {
  const sync = inputs.checks?.checkers.find((c) => c.name === 'cache-db-sync');
  const perType = (sync?.extra?.byDataType ?? {}) as Record<
    string,
    { checked?: number; maxTtlSeconds?: number; ttlViolations?: number; summary?: string }
  >;
  const rows: Table['rows'] = [];
  for (const dt of CACHE_DATA_TYPES) {
    const seen = perType[dt];
    figures.push({
      id: `ttl.${dt}.policy`,
      label: `${dt} TTL policy`,
      value: inputs.config.cache.ttlSeconds[dt],
      unit: 's',
      source: 'configuration cache.ttlSeconds',
      side: 'server',
    });
    figures.push({
      id: `ttl.${dt}.keys`,
      label: `${dt} keys seen`,
      value: seen ? (seen.checked ?? 0) : sync ? 0 : null,
      unit: 'count',
      source: 'cache-db-sync checker (SCAN)',
      side: 'server',
    });
    figures.push({
      id: `ttl.${dt}.maxTtl`,
      label: `${dt} longest TTL seen`,
      value: seen?.maxTtlSeconds ?? null,
      unit: 's',
      source: 'cache-db-sync checker (PTTL)',
      side: 'server',
    });
    figures.push({
      id: `ttl.${dt}.violations`,
      label: `${dt} TTL violations`,
      value: seen ? (seen.ttlViolations ?? 0) : sync ? 0 : null,
      unit: 'count',
      source: 'cache-db-sync checker (no TTL or above policy)',
      side: 'server',
    });
    rows.push([
      dt,
      { figure: `ttl.${dt}.policy` },
      { figure: `ttl.${dt}.keys` },
      { figure: `ttl.${dt}.maxTtl` },
      { figure: `ttl.${dt}.violations` },
      seen?.summary ?? '',
    ]);
  }
  return {
    title: 'TTL policies as enforced',
    intro:
      'Configured TTL per data type, and what the cache-db sync checker found in Redis after the run (longest remaining TTL; consistency as "nines within the grace period", Polaris-style).',
    columns: ['data type', 'policy', 'keys seen', 'longest TTL seen', 'TTL violations', 'cache-db consistency'],
    rows,
  };
}
