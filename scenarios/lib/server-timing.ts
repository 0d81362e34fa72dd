/**
 * Parser for the `Server-Timing` response header (W3C Server Timing, section 3:
 * `metric *( "," metric )`, `metric = name *( ";" param )`, `param = name [ "=" value ]`,
 * value a token or a quoted-string). Pure: runs in k6 and in Node tests.
 *
 * The target writes `db;dur=1.7;desc="join", cache;dur=0.21;desc="get-hit"`
 * (docs/api.md): `db` entries are query time by query type, `cache` entries
 * Redis time by operation.
 */

/** One metric of a Server-Timing header. */
export interface ServerTimingEntry {
  name: string;
  /** Milliseconds; undefined when absent or not a number. */
  dur: number | undefined;
  desc: string | undefined;
}

/**
 * Parses a Server-Timing header value (several headers joined by ", " are one
 * list). Malformed metrics are skipped, never thrown: a load script must not
 * die on a header it cannot read.
 */
export function parseServerTiming(header: string | undefined | null): ServerTimingEntry[] {
  const out: ServerTimingEntry[] = [];
  if (!header) return out;
  for (const metric of splitOutsideQuotes(header, ',')) {
    const parts = splitOutsideQuotes(metric, ';');
    const name = parts[0].trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) continue;
    let dur: number | undefined;
    let desc: string | undefined;
    for (const raw of parts.slice(1)) {
      const eq = raw.indexOf('=');
      const key = (eq < 0 ? raw : raw.slice(0, eq)).trim().toLowerCase();
      const value = eq < 0 ? '' : unquote(raw.slice(eq + 1).trim());
      // The spec says: only the first occurrence of a parameter counts.
      if (key === 'dur' && dur === undefined) {
        const n = Number(value);
        dur = value !== '' && Number.isFinite(n) ? n : undefined;
      } else if (key === 'desc' && desc === undefined) {
        desc = value;
      }
    }
    out.push({ name, dur, desc });
  }
  return out;
}

function unquote(v: string): string {
  if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') {
    return v.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return v;
}

/** Splits on `sep` except inside double-quoted strings (which may hold `\"`). */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let inQuotes = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inQuotes && c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (c === '"') inQuotes = !inQuotes;
    if (c === sep && !inQuotes) {
      if (cur.trim() !== '') parts.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts;
}

/** Query types the target names in `db` entries (config/schema.ts QUERY_TYPES). */
export const QUERY_TYPES = ['simple', 'join', 'aggregation', 'complex', 'index_scan'] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** Cache operations as metric tags; get-hit and get-miss are both `get`. */
export type CacheOp = 'get' | 'set' | 'del' | 'exists';

/** Maps a `cache` entry's desc to its op tag and hit/miss result (undefined: unknown desc). */
export function cacheOpOf(desc: string | undefined): { op: CacheOp; result?: 'hit' | 'miss' } | undefined {
  switch (desc) {
    case 'get-hit':
      return { op: 'get', result: 'hit' };
    case 'get-miss':
      return { op: 'get', result: 'miss' };
    case 'get':
    case 'set':
    case 'del':
    case 'exists':
      return { op: desc };
    default:
      return undefined;
  }
}

/** True when `desc` is one of the five query types. */
export function isQueryType(desc: string | undefined): desc is QueryType {
  return desc !== undefined && (QUERY_TYPES as readonly string[]).includes(desc);
}
