/**
 * Everything a row generator needs besides its row index: the seed, the row
 * counts, the text pools, the fixed reference times and the allocations of
 * child rows to parents (votes per amendment, updates per policy, ...).
 *
 * All of it is a pure function of (seed, scale): two machines build the same
 * context and therefore the same rows. Memory is O(parents), never O(rows).
 */
import { allocate, type Allocation } from './zipf.ts';
import { copyEscape } from './copy-text.ts';
import { cellHash, between, fmix32, type CellHash } from './hash.ts';
import { poolsFor, type Pools } from './pools.ts';
import { targetRows, type ScaledTable } from './sizes.ts';

/** Bump when any generated value changes (part of the dataset fingerprint). */
export const GENERATOR_VERSION = 2;

const DAY = 86_400_000;

/** Number of static_config keys (fixed, independent of scale). */
export const STATIC_CONFIG_KEYS = 100;

/**
 * Sessions and tokens that are valid expire in 2035 (plus a per-row offset):
 * data must be byte-identical on every load, so expiry cannot be relative to
 * now(), yet sessions must still be valid when a run uses them years later.
 */
export const FAR_FUTURE_MS = Date.UTC(2035, 0, 1);

export interface GenContext {
  seed: number;
  scale: number;
  pools: Pools;
  /** Rows of the parent tables (children come from the allocations). */
  n: Record<ScaledTable, number>;
  /** The dataset's "now": a fixed date derived from the seed (2025-01-01 + 0..179 days). */
  refMs: number;
  votes: Allocation;
  policyUpdates: Allocation;
  policyLinks: Allocation;
  rules: Allocation;
  /** Hash of a (table, column); memoised so generators can call it freely. */
  h(table: string, column: string): CellHash;
  /** The pools as COPY text (each value escaped once per seed, not once per cell). */
  copy: Pools;
  /**
   * The pools as the inside of a JSON string literal, COPY-escaped: `'"' +
   * json.x[k] + '"'` is the COPY text of JSON.stringify(pools.x[k]). Both
   * escapes work character by character, so pieces concatenate.
   */
  json: Pools;
}

function mapPools(p: Pools, f: (v: string) => string): Pools {
  return Object.fromEntries(
    Object.entries(p).map(([k, list]: [string, string[]]) => [k, list.map(f)]),
  ) as unknown as Pools;
}

/** Children per parent drawn uniformly in [lo, hi] (rules and principle links). */
function uniformAllocation(n: number, lo: number, hi: number, h: CellHash): Allocation {
  const counts = new Uint32Array(n);
  const prefix = new Float64Array(n + 1);
  let acc = 0;
  for (let p = 1; p <= n; p++) {
    const c = between(h(p), lo, hi);
    counts[p - 1] = c;
    prefix[p - 1] = acc;
    acc += c;
  }
  prefix[n] = acc;
  return { counts, prefix, total: acc };
}

/**
 * Builds the generation context of (seed, scale). `pools` may be given when
 * they were built elsewhere for the same seed (a worker thread gets its
 * parent's instead of running faker again).
 */
export function buildContext(seed: number, scale: number, pools: Pools = poolsFor(seed)): GenContext {
  const n = targetRows(scale);
  // Two levels, so a lookup builds no key string (facts helpers look hashes up per row).
  const memo = new Map<string, Map<string, CellHash>>();
  const h = (table: string, column: string): CellHash => {
    let t = memo.get(table);
    if (!t) memo.set(table, (t = new Map()));
    let f = t.get(column);
    if (!f) t.set(column, (f = cellHash(seed, table, column)));
    return f;
  };
  const refMs = Date.UTC(2025, 0, 1) + (fmix32(seed ^ 0x2545f491) % 180) * DAY;
  const linkMax = Math.min(5, n.principles);
  return {
    seed,
    scale,
    pools,
    copy: mapPools(pools, copyEscape),
    json: mapPools(pools, (v) => copyEscape(JSON.stringify(v).slice(1, -1))),
    n,
    refMs,
    // One vote per (amendment, voter): never more votes than users.
    votes: allocate(n.amendments, n.amendment_votes, h('amendments', 'vote_count'), { s: 0.9, cap: n.users }),
    policyUpdates: allocate(n.policies, n.policy_updates, h('policies', 'update_count'), { s: 1 }),
    policyLinks: uniformAllocation(n.policies, 1, linkMax, h('policies', 'link_count')),
    rules: uniformAllocation(n.policies, 1, 9, h('policies', 'rule_count')),
    h,
  };
}

export { DAY };
