/**
 * The warm marker: what the cache warmer wrote and when, kept in Redis beside
 * the entries (`P meta:warm`, docs/cache-keys.md "Metadata"). The reference
 * API publishes it at GET /api/v1/ids as `warm`, so a load script can tell a
 * read that should hit (its key was warmed and is still inside its TTL
 * policy) from one that cannot (scenarios/lib/cache-model.ts).
 *
 * Emptying the prefix deletes the marker with the entries, so a cache that
 * was emptied and not warmed again never claims to hold anything.
 *
 * Shape (JSON):
 *   { "at": "<ISO-8601, taken before the first SET>",
 *     "cleared": true when the prefix was emptied right before `at` (then every entry was written after it),
 *     "families": { "<key pattern>": { "ranges": [[min, max], ...] }   numeric ids, sorted, merged
 *                                  | { "keys": ["..."] }              text keys (static configuration)
 *                                  | { "count": n }                   text ids not listed (sessions, tokens)
 *                   ... } }
 * A family may carry `"truncated": true` when its list was cut at the cap:
 * ids beyond what is listed are then unknown, not "not warmed".
 *
 * It lives in schema/ because seed/ writes it and api/ reads it: a shared
 * description, like the key scheme itself (a deployment of the same contract
 * may publish the same shape from its own warmer).
 */

/** Key (after the prefix) of the warm marker. */
export const WARM_META_KEY = 'meta:warm';

/** Ranges or keys listed per family at most; more are cut and the family marked truncated. */
export const WARM_LIST_CAP = 10_000;

/** What was warmed of one key family. */
export type WarmFamily =
  | { ranges: Array<[number, number]>; truncated?: boolean }
  | { keys: string[]; truncated?: boolean }
  | { count: number };

/** The warm marker. */
export interface WarmMarker {
  at: string;
  /** The prefix was emptied just before `at`: no entry in the cache is older. */
  cleared: boolean;
  families: Record<string, WarmFamily>;
}

/** Families whose text ids are counted, not listed: scripts read only sessions and tokens they created. */
const COUNTED_ONLY = new Set(['session:{id}', 'token:{id}']);

/**
 * Collects the ids the warmer writes, per key pattern, and turns them into
 * the marker. Numeric ids become merged ranges (consecutive ids join), so a
 * warm of the 20 % most popular rows publishes one range per family.
 */
export class WarmSetBuilder {
  private readonly numeric = new Map<string, number[]>();
  private readonly text = new Map<string, string[]>();
  private readonly counts = new Map<string, number>();

  /** Records one warmed key. */
  add(pattern: string, id: string | number): void {
    if (COUNTED_ONLY.has(pattern)) {
      this.counts.set(pattern, (this.counts.get(pattern) ?? 0) + 1);
      return;
    }
    const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    if (Number.isSafeInteger(n)) push(this.numeric, pattern, n);
    else push(this.text, pattern, String(id));
  }

  /** The marker, stamped with `at` (the moment before the first entry was written) and whether the prefix was emptied first. */
  build(at: Date, cleared: boolean): WarmMarker {
    const families: Record<string, WarmFamily> = {};
    for (const [pattern, ids] of this.numeric) families[pattern] = rangesOf(ids);
    for (const [pattern, keys] of this.text) {
      const sorted = [...new Set(keys)].sort();
      families[pattern] =
        sorted.length > WARM_LIST_CAP ? { keys: sorted.slice(0, WARM_LIST_CAP), truncated: true } : { keys: sorted };
    }
    for (const [pattern, count] of this.counts) families[pattern] = { count };
    return { at: at.toISOString(), cleared, families };
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Sorted, merged ranges of `ids` (duplicates allowed), cut at WARM_LIST_CAP. */
export function rangesOf(ids: readonly number[]): { ranges: Array<[number, number]>; truncated?: boolean } {
  const sorted = Float64Array.from(ids).sort();
  const ranges: Array<[number, number]> = [];
  for (const id of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && id <= last[1] + 1) last[1] = Math.max(last[1], id);
    else {
      if (ranges.length === WARM_LIST_CAP) return { ranges, truncated: true };
      ranges.push([id, id]);
    }
  }
  return { ranges };
}

/**
 * Reads a marker from its stored text; null for anything that is not one
 * (absent, not JSON, a wrong shape), so a damaged marker means "nothing is
 * known to be warm", never a guess.
 */
export function parseWarmMarker(text: string | null | undefined): WarmMarker | null {
  if (!text) return null;
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const m = o as Record<string, unknown>;
  if (typeof m.at !== 'string' || Number.isNaN(Date.parse(m.at))) return null;
  if (typeof m.families !== 'object' || m.families === null || Array.isArray(m.families)) return null;
  return { at: m.at, cleared: m.cleared === true, families: m.families as Record<string, WarmFamily> };
}
