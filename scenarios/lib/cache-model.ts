/**
 * A VU's model of the cache: before each cacheable read, whether a hit is
 * expected; after it, the tags of its `cache_hit` sample. Pure (times are
 * passed in), one per VU, so real `k6 run` and the suite tag the same way.
 *
 * A hit is expected when the key's entry is known to be there and inside its
 * TTL policy (the policy's seconds, never the TTL the target set, so a broken
 * TTL shows as misses):
 *   - it was warmed (the published warm set lists it) and warm.at + TTL has
 *     not passed; or
 *   - this VU read it (a miss fills it, from the request's start) or wrote it
 *     (login, a new decision, a vote's tally rewrite) within the TTL; or
 *   - this VU saw it hit and the prefix was emptied at warm.at, so the entry
 *     cannot be older than that;
 * and it was not invalidated since: by this VU's own write, or by another's,
 * which the VU sees as a version in the answer other than the one it saw last
 * (for a warmed key it never read: a row changed after warm.at). A read that
 * shows another's write is tagged `cache_expect:miss` whether it hit or not,
 * so the judged set is chosen without looking at the outcome it judges.
 *
 * Tags: `cache_expect: hit|miss`; on a miss `miss_cause`: never_warmed (the
 * warm set does not list it, first read here), first_read (nothing tells
 * whether it was cached: no warm set, or a family it does not list), expired,
 * invalidated, or unexpected (a hit was expected: a cache defect). BYPASS
 * (Redis not used) counts as a miss.
 */
import { KEY_PATTERNS, keyText, siblingsOf, type CacheDataType, type KeyRef, type Seen } from './cache-keys.ts';
import { WarmLookup, type WarmSet } from './warm-set.ts';

/** Why a read missed (or would miss). */
export type MissCause = 'never_warmed' | 'first_read' | 'expired' | 'invalidated' | 'unexpected';

/** What the model expects of a read, decided before it is sent. */
export interface Expectation {
  hit: boolean;
  /** When no hit is expected: why. */
  cause?: Exclude<MissCause, 'unexpected'>;
}

/** The read's outcome from X-Cache. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

/** The tags of a cache_hit sample. */
export interface CacheTags {
  cache_expect: 'hit' | 'miss';
  miss_cause?: MissCause;
}

interface KeyState {
  /** Lower bound of when the entry known to be there expires (ms); undefined: not known to be there. */
  until?: number;
  /** Seen there, with no bound on its age (the prefix was not emptied). */
  seenThere?: boolean;
  /** Deleted by a write since (this VU's, or another's it saw). */
  gone?: boolean;
  /** The version the VU saw last. */
  version?: number;
}

/** The per-VU cache model. */
export class CacheModel {
  private readonly keys = new Map<string, KeyState>();
  private readonly warm: WarmLookup;

  constructor(
    warm: WarmSet | null,
    private readonly ttlSeconds: Readonly<Record<CacheDataType, number>>,
  ) {
    this.warm = new WarmLookup(warm);
  }

  private ttlMs(k: KeyRef): number {
    return this.ttlSeconds[KEY_PATTERNS[k.pattern].dataType] * 1000;
  }

  /** Expected outcome of reading `k` at `nowMs`. */
  expect(k: KeyRef, nowMs: number): Expectation {
    const st = this.keys.get(keyText(k));
    if (st?.gone) return { hit: false, cause: 'invalidated' };
    if (st?.until !== undefined) return nowMs < st.until ? { hit: true } : { hit: false, cause: 'expired' };
    if (st?.seenThere) return { hit: false, cause: 'expired' };
    const until = this.warmUntil(k);
    if (until !== undefined) return nowMs < until ? { hit: true } : { hit: false, cause: 'expired' };
    return { hit: false, cause: this.warm.of(k.pattern, k.id) === 'not_warmed' ? 'never_warmed' : 'first_read' };
  }

  /**
   * The tags of a read of `k` sent at `startedMs` with expectation `exp`, and
   * what the VU learns from it: the entry is there now (filled on a miss from
   * `startedMs`), at the version the answer shows.
   */
  observe(k: KeyRef, startedMs: number, exp: Expectation, outcome: CacheOutcome, seen: Seen): CacheTags {
    const id = keyText(k);
    const st = this.keys.get(id);
    const foreign = this.changedByAnother(k, st, seen);
    const expectHit = exp.hit && !foreign;
    const tags: CacheTags = { cache_expect: expectHit ? 'hit' : 'miss' };
    if (outcome !== 'hit')
      tags.miss_cause = expectHit ? 'unexpected' : foreign ? 'invalidated' : (exp.cause ?? 'unexpected');
    const next: KeyState = { version: seen.version ?? st?.version };
    if (outcome === 'miss') next.until = startedMs + this.ttlMs(k);
    else if (outcome === 'hit') {
      const known = !foreign && !st?.gone ? st?.until : undefined;
      next.until = latest(known, this.floor(k), this.warmUntil(k));
      next.seenThere = true;
    } else if (st && !foreign) {
      // BYPASS: Redis was not used; the entry (if any) is as it was.
      next.until = st.until;
      next.gone = st.gone;
      next.seenThere = st.seenThere;
    }
    this.keys.set(id, next);
    if (foreign) for (const s of siblingsOf(k)) this.gone(s);
    return tags;
  }

  /** This VU's write stored `k` (write-through, or a rewrite in place) during a request sent at `startedMs`. */
  wrote(k: KeyRef, startedMs: number, seen: Seen = {}): void {
    const st = this.keys.get(keyText(k));
    this.keys.set(keyText(k), { until: startedMs + this.ttlMs(k), version: seen.version ?? st?.version });
  }

  /** This VU's write deleted `k`; `seen` is the version the write produced, when the answer shows it. */
  invalidated(k: KeyRef, seen: Seen = {}): void {
    this.gone(k, seen.version);
  }

  private gone(k: KeyRef, version?: number): void {
    const st = this.keys.get(keyText(k));
    this.keys.set(keyText(k), { gone: true, version: version ?? st?.version });
  }

  /**
   * warm.at + TTL for a warmed key: the warmer wrote it at warm.at or later,
   * and any later write of it is later still.
   */
  private warmUntil(k: KeyRef): number | undefined {
    return this.warm.of(k.pattern, k.id) === 'warmed' ? (this.warm.warm as WarmSet).atMs + this.ttlMs(k) : undefined;
  }

  /** warm.at + TTL for any key when the prefix was emptied then: no entry can be older. */
  private floor(k: KeyRef): number | undefined {
    const w = this.warm.warm;
    return w && w.cleared ? w.atMs + this.ttlMs(k) : undefined;
  }

  /** The answer shows a write this VU did not make since it last knew the entry. */
  private changedByAnother(k: KeyRef, st: KeyState | undefined, seen: Seen): boolean {
    if (st?.gone) return false; // already expected gone: nothing new to learn
    if (st?.version !== undefined) return seen.version !== undefined && seen.version !== st.version;
    if (st === undefined && this.warm.of(k.pattern, k.id) === 'warmed' && seen.changedAt !== undefined) {
      const t = Date.parse(seen.changedAt);
      return Number.isFinite(t) && t > (this.warm.warm as WarmSet).atMs;
    }
    return false;
  }
}

/** The latest of the bounds that are known. */
function latest(...bounds: Array<number | undefined>): number | undefined {
  let out: number | undefined;
  for (const b of bounds) if (b !== undefined && (out === undefined || b > out)) out = b;
  return out;
}
