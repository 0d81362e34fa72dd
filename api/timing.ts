/**
 * Per-request accounting of database and cache time, rendered as the
 * `Server-Timing` header (W3C Server Timing: repeated metric names are allowed,
 * so every statement and every Redis command gets its own `db` or `cache`
 * entry) and the `X-Cache` header.
 */

/** How the response's data was obtained. */
export type CacheOutcome = 'HIT' | 'MISS' | 'BYPASS';

/** One timed operation of a request. */
export interface TimingEntry {
  name: 'db' | 'cache' | 'app';
  /** Milliseconds. */
  dur: number;
  desc: string;
}

/** Collects the timed operations of one request. */
export class RequestTiming {
  readonly entries: TimingEntry[] = [];
  /** Stays BYPASS unless a cache-aside read decides otherwise. */
  cache: CacheOutcome = 'BYPASS';

  add(name: TimingEntry['name'], dur: number, desc: string): void {
    this.entries.push({ name, dur, desc });
  }

  /** The Server-Timing header value: every entry, then the request's total as `app`. */
  header(totalMs: number): string {
    let out = '';
    for (const e of this.entries) out += formatEntry(e.name, e.dur, e.desc) + ', ';
    return out + formatEntry('app', totalMs, 'total');
  }

  /** A lookup's outcome; a MISS is not overwritten by a later HIT of another key. */
  setCache(outcome: CacheOutcome): void {
    if (this.cache === 'MISS' && outcome === 'HIT') return;
    this.cache = outcome;
  }
}

/** Renders entries as a Server-Timing header value (durations in ms, 3 decimals). */
export function formatServerTiming(entries: readonly TimingEntry[]): string {
  let out = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    out += (i === 0 ? '' : ', ') + formatEntry(e.name, e.dur, e.desc);
  }
  return out;
}

/** One metric: `name;dur=<ms, 3 decimals>;desc="<desc>"`. */
function formatEntry(name: TimingEntry['name'], dur: number, desc: string): string {
  return name + ';dur=' + Math.round(dur * 1000) / 1000 + ';desc="' + desc + '"';
}

/** Milliseconds since `start` (a process.hrtime.bigint() reading). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
