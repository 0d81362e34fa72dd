/**
 * The id sets the target publishes at GET /api/v1/ids (docs/api.md), and how
 * scripts draw from them: zipfian (hot ids far more often), uniform, or from a
 * VU's own partition. Pure: the k6 part (fetching) lives in client.ts.
 */
import { type Rng, ZipfSampler, uniformInt } from './random.ts';
import { normalizeWarmSet, type WarmSet } from './warm-set.ts';

/** A set of ids: a contiguous range or an explicit list (a sample). */
export type IdSet = { kind: 'range'; min: number; max: number } | { kind: 'list'; ids: number[] };

/** What setup() hands every VU, normalised from GET /api/v1/ids. */
export interface IdCatalog {
  users: IdSet;
  principles: IdSet;
  policies: IdSet;
  amendments: IdSet;
  openAmendments: IdSet;
  policyDecisions: IdSet;
  complianceChecks: IdSet;
  synthesisResults: IdSet;
  configKeys: string[];
  auditWindow: { from: string; to: string };
  /** What the target says it warmed, and when (`warm`); null when it publishes nothing. */
  warm: WarmSet | null;
}

const EMPTY: IdSet = { kind: 'list', ids: [] };

/**
 * Accepts `{min,max}`, `{min,max,count,sample:[..]}` (the sample wins: the
 * target publishes open amendments that way, and the range between the first
 * and last open id also holds closed ones) or a bare array; anything else,
 * including `null` for an empty table, is an empty set (a script then skips
 * that step).
 */
export function normalizeIdSet(raw: unknown): IdSet {
  if (Array.isArray(raw)) return { kind: 'list', ids: raw.map(Number).filter(Number.isFinite) };
  if (typeof raw !== 'object' || raw === null) return EMPTY;
  const o = raw as Record<string, unknown>;
  const list = o.sample ?? o.ids ?? o.samples;
  if (Array.isArray(list)) return normalizeIdSet(list);
  const min = Number(o.min);
  const max = Number(o.max);
  if (o.min === null || o.max === null || !Number.isFinite(min) || !Number.isFinite(max)) return EMPTY;
  return max >= min ? { kind: 'range', min, max } : EMPTY;
}

/** Builds the catalog from the JSON body of GET /api/v1/ids. */
export function normalizeCatalog(body: unknown): IdCatalog {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const win = (b.auditWindow ?? {}) as Record<string, unknown>;
  const now = new Date();
  return {
    users: normalizeIdSet(b.users),
    principles: normalizeIdSet(b.principles),
    policies: normalizeIdSet(b.policies),
    amendments: normalizeIdSet(b.amendments),
    openAmendments: normalizeIdSet(b.openAmendments),
    policyDecisions: normalizeIdSet(b.policyDecisions),
    complianceChecks: normalizeIdSet(b.complianceChecks),
    synthesisResults: normalizeIdSet(b.synthesisResults),
    configKeys: Array.isArray(b.configKeys) ? b.configKeys.map(String) : [],
    auditWindow: {
      from: typeof win.from === 'string' ? win.from : new Date(now.getTime() - 30 * 86400_000).toISOString(),
      to: typeof win.to === 'string' ? win.to : now.toISOString(),
    },
    warm: normalizeWarmSet(b.warm),
  };
}

/** Number of ids in the set. */
export function sizeOf(set: IdSet): number {
  return set.kind === 'range' ? set.max - set.min + 1 : set.ids.length;
}

/** The i-th id of the set (0-based, wraps around); undefined for an empty set. */
export function nth(set: IdSet, i: number): number | undefined {
  const n = sizeOf(set);
  if (n === 0) return undefined;
  const k = ((Math.floor(i) % n) + n) % n;
  return set.kind === 'range' ? set.min + k : set.ids[k];
}

/** Uniformly drawn id. */
export function pickUniform(set: IdSet, rng: Rng): number | undefined {
  const n = sizeOf(set);
  return n === 0 ? undefined : nth(set, uniformInt(rng, 0, n - 1));
}

/**
 * Draws ids zipfian over the set's order: the first ids are the hot ones.
 * The seeder gives the lowest ids the highest popularity and the target warms
 * them first, so rank 1 maps to the first id. Samplers are cached per size.
 */
export class ZipfPicker {
  private readonly samplers = new Map<number, ZipfSampler>();

  constructor(
    private readonly rng: Rng,
    private readonly exponent = 1.0,
  ) {}

  /** One id, hot ids far more often; undefined for an empty set. */
  pick(set: IdSet): number | undefined {
    const n = sizeOf(set);
    if (n === 0) return undefined;
    let sampler = this.samplers.get(n);
    if (!sampler) {
      sampler = new ZipfSampler(n, this.exponent);
      this.samplers.set(n, sampler);
    }
    return nth(set, sampler.sample(this.rng) - 1);
  }
}

/**
 * The j-th id of a VU's own partition: ids whose position is congruent to the
 * VU's index modulo `partitions`. With `partitions` >= the test's VU count, two
 * VUs never share an id, also across k6 instances (vu.idInTest is unique in the
 * whole test). Positions count from the END of the set: the seeder makes low
 * ids the popular ones, so the tail holds the users with the fewest seeded
 * votes and sessions, and a VU's writes rarely collide with seeded rows.
 * `exclusive` is false when the set is too small to partition or the VU has
 * used up its partition and wraps around.
 */
export function partitionMember(
  set: IdSet,
  vuIdInTest: number,
  partitions: number,
  j: number,
): { id: number | undefined; exclusive: boolean } {
  const n = sizeOf(set);
  const p = Math.max(1, Math.floor(partitions));
  const perVu = Math.floor(n / p);
  const slot = (vuIdInTest - 1) % p;
  const pos = perVu === 0 ? slot + p * j : slot + p * (j % perVu);
  return { id: nth(set, n - 1 - (pos % Math.max(1, n))), exclusive: perVu > 0 && j < perVu };
}
