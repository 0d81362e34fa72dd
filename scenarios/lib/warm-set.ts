/**
 * The warm set the target publishes at GET /api/v1/ids as `warm` (the warm
 * marker of docs/cache-keys.md "Metadata"): when the cache was warmed, whether
 * the prefix was emptied first, and which keys were written. Pure.
 *
 * normalizeWarmSet keeps plain arrays (setup() data is JSON-serialised to
 * every VU); WarmLookup builds each VU's search structures from it.
 */
import type { KeyPattern } from './cache-keys.ts';

/** What was warmed of one key pattern. */
export type WarmFamilySet =
  | { kind: 'ranges'; ranges: Array<[number, number]>; truncated: boolean }
  | { kind: 'keys'; keys: string[]; truncated: boolean }
  /** Counted, not listed (sessions, tokens): membership unknown. */
  | { kind: 'counted' };

/** The published warm set. */
export interface WarmSet {
  /** Before the first entry was written: every warmed entry's TTL runs from here or later. */
  atMs: number;
  /** The prefix was emptied at `atMs`: every entry in the cache was written after it. */
  cleared: boolean;
  families: Partial<Record<KeyPattern, WarmFamilySet>>;
}

function family(raw: unknown): WarmFamilySet | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  const truncated = o.truncated === true;
  if (Array.isArray(o.ranges)) {
    const ranges: Array<[number, number]> = [];
    for (const r of o.ranges)
      if (Array.isArray(r) && Number.isFinite(Number(r[0])) && Number(r[1]) >= Number(r[0]))
        ranges.push([Number(r[0]), Number(r[1])]);
    ranges.sort((a, b) => a[0] - b[0]);
    return { kind: 'ranges', ranges, truncated };
  }
  if (Array.isArray(o.keys)) return { kind: 'keys', keys: o.keys.map(String), truncated };
  if (typeof o.count === 'number') return { kind: 'counted' };
  return undefined;
}

/** The warm set from the `warm` field of GET /api/v1/ids; null when there is none or it is malformed. */
export function normalizeWarmSet(raw: unknown): WarmSet | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const atMs = typeof o.at === 'string' ? Date.parse(o.at) : NaN;
  if (!Number.isFinite(atMs) || typeof o.families !== 'object' || o.families === null) return null;
  const families: WarmSet['families'] = {};
  for (const [pattern, f] of Object.entries(o.families as Record<string, unknown>)) {
    const set = family(f);
    if (set) families[pattern as KeyPattern] = set;
  }
  return { atMs, cleared: o.cleared === true, families };
}

/** Whether a key was warmed: listed, not listed (so not warmed), or unknown (no warm set, counted, cut list). */
export type Warmth = 'warmed' | 'not_warmed' | 'unknown';

/** A VU's lookups into the warm set. */
export class WarmLookup {
  private readonly keySets = new Map<KeyPattern, Set<string>>();

  constructor(readonly warm: WarmSet | null) {}

  /** Whether `pattern`/`id` was warmed. A pattern the warm set does not name had nothing warmed. */
  of(pattern: KeyPattern, id: string | number): Warmth {
    if (!this.warm) return 'unknown';
    const f = this.warm.families[pattern];
    if (!f) return 'not_warmed';
    if (f.kind === 'counted') return 'unknown';
    if (f.kind === 'keys') {
      let set = this.keySets.get(pattern);
      if (!set) this.keySets.set(pattern, (set = new Set(f.keys)));
      if (set.has(String(id))) return 'warmed';
      return f.truncated ? 'unknown' : 'not_warmed';
    }
    const n = Number(id);
    if (!Number.isFinite(n)) return 'not_warmed';
    if (inRanges(f.ranges, n)) return 'warmed';
    const last = f.ranges[f.ranges.length - 1];
    // A cut list says nothing about ids past its last range.
    return f.truncated && (last === undefined || n > last[1]) ? 'unknown' : 'not_warmed';
  }
}

/** Binary search over sorted, disjoint ranges. */
export function inRanges(ranges: ReadonlyArray<readonly [number, number]>, n: number): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = ranges[mid];
    if (n < a) hi = mid - 1;
    else if (n > b) lo = mid + 1;
    else return true;
  }
  return false;
}
