/**
 * Server-side Redis figures for a run: snapshots of INFO (stats, commandstats,
 * latencystats, memory, server) and the delta between two snapshots.
 *
 * INFO counters are server-wide and cumulative since the server started (or the
 * last CONFIG RESETSTAT, which the suite never sends: the server may be shared).
 * So the run's figures are differences of two snapshots, and anything else
 * using the same server in that window is included; the report says so.
 * Source: https://redis.io/docs/latest/commands/info/
 */
import type { Redis } from 'ioredis';

/** The four cache operations the report times. */
export const REDIS_COMMANDS = ['get', 'set', 'del', 'exists'] as const;

export interface RedisSnapshot {
  takenAt: number;
  version: string;
  /** INFO server run_id: changes when the server restarts (its counters start again at zero). */
  runId: string;
  stats: Record<string, number>;
  commands: Record<string, { calls: number; usec: number; failed: number }>;
  /** Percentiles (µs) since server start, per command; only Redis >= 7 has them. */
  latency: Record<string, Record<string, number>>;
  memory: { usedBytes: number; maxBytes: number; policy: string };
}

/** Parses INFO text into section -> key -> raw value. */
export function parseInfo(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = 'default';
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('# ')) {
      section = line.slice(2).trim().toLowerCase();
      out[section] ??= {};
    } else if (line.includes(':')) {
      const i = line.indexOf(':');
      (out[section] ??= {})[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return out;
}

function parseKv(value: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [k, v] = part.split('=');
    if (k && v !== undefined) out[k] = Number(v);
  }
  return out;
}

/** Builds a snapshot from the text of `INFO everything` (pure, for tests). */
export function snapshotFromInfo(text: string, takenAt = Date.now()): RedisSnapshot {
  const info = parseInfo(text);
  const stats: Record<string, number> = {};
  for (const [k, v] of Object.entries(info.stats ?? {})) {
    const n = Number(v);
    if (Number.isFinite(n)) stats[k] = n;
  }
  const commands: RedisSnapshot['commands'] = {};
  for (const [k, v] of Object.entries(info.commandstats ?? {})) {
    const kv = parseKv(v);
    commands[k.replace(/^cmdstat_/, '')] = { calls: kv.calls ?? 0, usec: kv.usec ?? 0, failed: kv.failed_calls ?? 0 };
  }
  const latency: RedisSnapshot['latency'] = {};
  for (const [k, v] of Object.entries(info.latencystats ?? {})) {
    latency[k.replace(/^latency_percentiles_usec_/, '')] = parseKv(v);
  }
  const mem = info.memory ?? {};
  return {
    takenAt,
    version: info.server?.redis_version ?? 'unknown',
    runId: info.server?.run_id ?? '',
    stats,
    commands,
    latency,
    memory: {
      usedBytes: Number(mem.used_memory ?? 0),
      maxBytes: Number(mem.maxmemory ?? 0),
      policy: mem.maxmemory_policy ?? '',
    },
  };
}

export async function takeRedisSnapshot(redis: Redis): Promise<RedisSnapshot> {
  return snapshotFromInfo(await redis.info('everything'));
}

export interface RedisDelta {
  seconds: number;
  /** The server restarted between the snapshots: its counters are since the restart only. */
  restarted: boolean;
  keyspaceHits: number;
  keyspaceMisses: number;
  /** hits / (hits + misses) over the run; null when there was no lookup. */
  hitRate: number | null;
  evictedKeys: number;
  expiredKeys: number;
  commands: Record<string, { calls: number; usecPerCall: number | null; failed: number }>;
  latencySinceStart: Record<string, Record<string, number>>;
  memoryUsedBytes: number;
  version: string;
}

/**
 * What the server did between two snapshots. When it restarted in between (a
 * fault run), INFO counters started again from zero: the figures are then
 * those since the restart (a lower bound), never negative differences.
 */
export function redisDelta(before: RedisSnapshot, after: RedisSnapshot): RedisDelta {
  const restarted = before.runId !== '' && after.runId !== '' && before.runId !== after.runId;
  if (restarted) before = { ...before, stats: {}, commands: {} };
  const d = (k: string) => (after.stats[k] ?? 0) - (before.stats[k] ?? 0);
  const hits = d('keyspace_hits');
  const misses = d('keyspace_misses');
  const commands: RedisDelta['commands'] = {};
  for (const name of REDIS_COMMANDS) {
    const a = after.commands[name] ?? { calls: 0, usec: 0, failed: 0 };
    const b = before.commands[name] ?? { calls: 0, usec: 0, failed: 0 };
    const calls = a.calls - b.calls;
    commands[name] = { calls, usecPerCall: calls > 0 ? (a.usec - b.usec) / calls : null, failed: a.failed - b.failed };
  }
  const latencySinceStart: RedisDelta['latencySinceStart'] = {};
  for (const name of REDIS_COMMANDS) if (after.latency[name]) latencySinceStart[name] = after.latency[name];
  return {
    seconds: (after.takenAt - before.takenAt) / 1000,
    restarted,
    keyspaceHits: hits,
    keyspaceMisses: misses,
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    evictedKeys: d('evicted_keys'),
    expiredKeys: d('expired_keys'),
    commands,
    latencySinceStart,
    memoryUsedBytes: after.memory.usedBytes,
    version: after.version,
  };
}
