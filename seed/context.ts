/**
 * Everything a row generator needs besides its row index: the seed, the row
 * counts, the text pools, the fixed reference times and the allocations of
 * child rows to parents (votes per amendment, updates per policy, ...).
 *
 * All of it is a pure function of (seed, scale): two machines build the same
 * context and therefore the same rows. Memory is O(parents), never O(rows).
 */
import { allocate, type Allocation } from './zipf.ts';
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

/** Builds the generation context of (seed, scale). */
export function buildContext(seed: number, scale: number): GenContext {
  const n = targetRows(scale);
  const memo = new Map<string, CellHash>();
  const h = (table: string, column: string): CellHash => {
    const k = table + '.' + column;
    let f = memo.get(k);
    if (!f) memo.set(k, (f = cellHash(seed, table, column)));
    return f;
  };
  const refMs = Date.UTC(2025, 0, 1) + (fmix32(seed ^ 0x2545f491) % 180) * DAY;
  const linkMax = Math.min(5, n.principles);
  return {
    seed,
    scale,
    pools: poolsFor(seed),
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
