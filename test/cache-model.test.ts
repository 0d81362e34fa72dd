/**
 * The scenarios' cache model (scenarios/lib/cache-model.ts), pure: which reads
 * are expected to hit and what each cache_hit sample is tagged, table-driven;
 * and the copies scenarios keep of the key scheme and TTL policy stay equal
 * to schema/ and config/.
 */
import { describe, expect, it } from 'vitest';
import { CACHE_FAMILIES, rangesOf, WarmSetBuilder } from '../schema/index.ts';
import { configSchema, TTL_POLICY_DEFAULTS } from '../config/index.ts';
import { policyTtlSeconds } from '../run/scenario-env.ts';
import {
  KEY_PATTERNS,
  parseCacheTtls,
  seenIn,
  TTL_POLICY_SECONDS,
  type KeyPattern,
  type KeyRef,
  type Seen,
} from '../scenarios/lib/cache-keys.ts';
import { CacheModel, type CacheOutcome, type CacheTags } from '../scenarios/lib/cache-model.ts';
import { inRanges, normalizeWarmSet, WarmLookup, type WarmSet } from '../scenarios/lib/warm-set.ts';
import { normalizeCatalog } from '../scenarios/lib/ids.ts';

const AT = Date.parse('2026-01-01T10:00:00.000Z');
const S = 1000;
/** principles 1..20, decisions 900..999 warmed; config keys a, b; sessions counted. */
const WARM: WarmSet = {
  atMs: AT,
  cleared: true,
  families: {
    'principle:{id}': { kind: 'ranges', ranges: [[1, 20]], truncated: false },
    'policy:{id}': { kind: 'ranges', ranges: [[1, 5]], truncated: false },
    'api:compliance-report:{id}': { kind: 'ranges', ranges: [[1, 5]], truncated: false },
    'decision:{id}': { kind: 'ranges', ranges: [[900, 999]], truncated: false },
    'config:{id}': { kind: 'keys', keys: ['a', 'b'], truncated: false },
    'session:{id}': { kind: 'counted' },
  },
};

type Step =
  | { read: KeyRef; at: number; outcome: CacheOutcome; seen?: Seen; tags: CacheTags }
  | { wrote: KeyRef; at: number; seen?: Seen }
  | { invalidated: KeyRef; seen?: Seen };

const k = (pattern: KeyPattern, id: string | number): KeyRef => ({ pattern, id });
const hit: CacheTags = { cache_expect: 'hit' };
const missAs = (miss_cause: CacheTags['miss_cause'], expectHit = false): CacheTags =>
  expectHit ? { cache_expect: 'hit', miss_cause } : { cache_expect: 'miss', miss_cause };

const CASES: Array<{ name: string; warm?: WarmSet | null; steps: Step[] }> = [
  {
    name: 'warmed and inside its TTL: a hit is expected, and got',
    steps: [{ read: k('principle:{id}', 3), at: AT + 10 * S, outcome: 'hit', tags: hit }],
  },
  {
    name: 'warmed and inside its TTL, missed: unexpected (a cache defect)',
    steps: [{ read: k('principle:{id}', 3), at: AT + 10 * S, outcome: 'miss', tags: missAs('unexpected', true) }],
  },
  {
    name: 'warmed, past warm.at + its TTL policy (policyDecisions 300 s): expired',
    steps: [{ read: k('decision:{id}', 950), at: AT + 301 * S, outcome: 'miss', tags: missAs('expired') }],
  },
  {
    name: 'not in the warm set, first read: never_warmed; read again: a hit expected',
    steps: [
      { read: k('principle:{id}', 500), at: AT + S, outcome: 'miss', tags: missAs('never_warmed') },
      { read: k('principle:{id}', 500), at: AT + 2 * S, outcome: 'miss', tags: missAs('unexpected', true) },
    ],
  },
  {
    name: 'read earlier by this VU, then past its TTL from that read: expired',
    steps: [
      { read: k('decision:{id}', 5), at: AT + S, outcome: 'miss', tags: missAs('never_warmed') },
      { read: k('decision:{id}', 5), at: AT + 200 * S, outcome: 'hit', tags: hit },
      { read: k('decision:{id}', 5), at: AT + 302 * S, outcome: 'miss', tags: missAs('expired') },
    ],
  },
  {
    name: 'no warm set published: first_read, then expected',
    warm: null,
    steps: [
      { read: k('principle:{id}', 3), at: AT, outcome: 'miss', tags: missAs('first_read') },
      { read: k('principle:{id}', 3), at: AT + S, outcome: 'hit', tags: hit },
    ],
  },
  {
    name: 'a family the warm set counts but does not list (sessions): first_read',
    steps: [{ read: k('session:{id}', 'abc'), at: AT, outcome: 'miss', tags: missAs('first_read') }],
  },
  {
    name: 'own write stores the entry (a new decision): its read-back is expected to hit',
    steps: [
      { wrote: k('decision:{id}', 1234), at: AT + S, seen: { version: 1 } },
      { read: k('decision:{id}', 1234), at: AT + 2 * S, outcome: 'hit', seen: { version: 1 }, tags: hit },
    ],
  },
  {
    name: 'own write invalidates: the next read is expected to miss (invalidated), the one after to hit',
    steps: [
      { read: k('policy:{id}', 2), at: AT + S, outcome: 'hit', seen: { version: 4 }, tags: hit },
      { invalidated: k('policy:{id}', 2), seen: { version: 5 } },
      { read: k('policy:{id}', 2), at: AT + 2 * S, outcome: 'miss', seen: { version: 5 }, tags: missAs('invalidated') },
      { read: k('policy:{id}', 2), at: AT + 3 * S, outcome: 'hit', seen: { version: 5 }, tags: hit },
    ],
  },
  {
    name: "another writer's version change: the miss is invalidated, not unexpected",
    steps: [
      { read: k('policy:{id}', 2), at: AT + S, outcome: 'hit', seen: { version: 4 }, tags: hit },
      { read: k('policy:{id}', 2), at: AT + 2 * S, outcome: 'miss', seen: { version: 6 }, tags: missAs('invalidated') },
    ],
  },
  {
    name: 'another writer seen: the read leaves the judged set even when it hit (chosen without its outcome)',
    steps: [
      { read: k('policy:{id}', 2), at: AT + S, outcome: 'hit', seen: { version: 4 }, tags: hit },
      {
        read: k('policy:{id}', 2),
        at: AT + 2 * S,
        outcome: 'hit',
        seen: { version: 6 },
        tags: { cache_expect: 'miss' },
      },
    ],
  },
  {
    name: 'same version seen again and a miss: unexpected',
    steps: [
      { read: k('policy:{id}', 2), at: AT + S, outcome: 'hit', seen: { version: 4 }, tags: hit },
      {
        read: k('policy:{id}', 2),
        at: AT + 2 * S,
        outcome: 'miss',
        seen: { version: 4 },
        tags: missAs('unexpected', true),
      },
    ],
  },
  {
    name: 'a warmed row changed after warm.at (another writer before this VU read it): invalidated',
    steps: [
      {
        read: k('policy:{id}', 3),
        at: AT + 5 * S,
        outcome: 'miss',
        seen: { version: 2, changedAt: new Date(AT + 2 * S).toISOString() },
        tags: missAs('invalidated'),
      },
    ],
  },
  {
    name: "a policy's change seen also deletes its compliance report (same root row)",
    steps: [
      {
        read: k('policy:{id}', 3),
        at: AT + 5 * S,
        outcome: 'hit',
        seen: { version: 2, changedAt: new Date(AT + 2 * S).toISOString() },
        tags: { cache_expect: 'miss' },
      },
      { read: k('api:compliance-report:{id}', 3), at: AT + 6 * S, outcome: 'miss', tags: missAs('invalidated') },
    ],
  },
  {
    name: 'a warmed row last changed before warm.at: still expected',
    steps: [
      {
        read: k('policy:{id}', 3),
        at: AT + 5 * S,
        outcome: 'miss',
        seen: { version: 2, changedAt: new Date(AT - 60 * S).toISOString() },
        tags: missAs('unexpected', true),
      },
    ],
  },
  {
    name: 'a hit on a key not warmed, filled by another VU: after an emptied prefix it lives until warm.at + TTL',
    steps: [
      { read: k('principle:{id}', 77), at: AT + S, outcome: 'hit', tags: { cache_expect: 'miss' } },
      { read: k('principle:{id}', 77), at: AT + 2 * S, outcome: 'miss', tags: missAs('unexpected', true) },
    ],
  },
  {
    name: 'without an emptied prefix a hit of unknown age promises nothing',
    warm: { ...WARM, cleared: false },
    steps: [
      { read: k('principle:{id}', 77), at: AT + S, outcome: 'hit', tags: { cache_expect: 'miss' } },
      { read: k('principle:{id}', 77), at: AT + 2 * S, outcome: 'miss', tags: missAs('expired') },
    ],
  },
  {
    name: 'BYPASS (Redis not used) is a miss; it fills nothing',
    steps: [
      { read: k('principle:{id}', 4), at: AT + S, outcome: 'bypass', tags: missAs('unexpected', true) },
      { read: k('principle:{id}', 600), at: AT + S, outcome: 'bypass', tags: missAs('never_warmed') },
      { read: k('principle:{id}', 600), at: AT + 2 * S, outcome: 'miss', tags: missAs('never_warmed') },
    ],
  },
  {
    name: 'a text key listed in the warm set (static configuration)',
    steps: [
      { read: k('config:{id}', 'a'), at: AT + S, outcome: 'hit', tags: hit },
      { read: k('config:{id}', 'zz'), at: AT + S, outcome: 'miss', tags: missAs('never_warmed') },
    ],
  },
  {
    name: 'a family the warm set does not name had nothing warmed',
    steps: [{ read: k('synthesis:{id}', 1), at: AT + S, outcome: 'miss', tags: missAs('never_warmed') }],
  },
];

describe('cache model: what a read is expected to do', () => {
  it.each(CASES)('$name', ({ warm, steps }) => {
    const m = new CacheModel(warm === undefined ? WARM : warm, TTL_POLICY_SECONDS);
    for (const s of steps) {
      if ('read' in s) {
        const exp = m.expect(s.read, s.at);
        expect(m.observe(s.read, s.at, exp, s.outcome, s.seen ?? {})).toEqual(s.tags);
      } else if ('wrote' in s) m.wrote(s.wrote, s.at, s.seen);
      else m.invalidated(s.invalidated, s.seen);
    }
  });

  it('expects by the TTL policy it was given, not a default', () => {
    const m = new CacheModel(WARM, { ...TTL_POLICY_SECONDS, governanceRules: 10 });
    expect(m.expect(k('principle:{id}', 3), AT + 9 * S)).toEqual({ hit: true });
    expect(m.expect(k('principle:{id}', 3), AT + 11 * S)).toEqual({ hit: false, cause: 'expired' });
  });
});

describe('what an answer shows about its row', () => {
  it('reads versions and change times per key pattern', () => {
    expect(seenIn('principle:{id}', { id: 1, version: 3, updated_at: 'T' })).toEqual({ version: 3, changedAt: 'T' });
    expect(seenIn('policy:{id}', { policy: { version: 7, updated_at: 'U' }, rules: [] })).toEqual({
      version: 7,
      changedAt: 'U',
    });
    expect(
      seenIn('api:compliance-report:{id}', {
        checks: 4,
        recent: [{ createdAt: '2026-01-01T00:00:00.000Z' }, { createdAt: '2026-01-02T00:00:00.000Z' }],
      }),
    ).toEqual({ version: 4, changedAt: '2026-01-02T00:00:00.000Z' });
    // A vote rewrites the tally in place: another VU's vote is no reason for a miss.
    expect(seenIn('api:tally:{id}', { for: 1, against: 0, abstain: 0, total: 1 })).toEqual({});
    expect(seenIn('principle:{id}', undefined)).toEqual({});
  });
});

describe('the published warm set', () => {
  it('is built from the keys the warmer wrote: merged ranges, listed keys, counted sessions', () => {
    const b = new WarmSetBuilder();
    for (const id of [5, 3, 4, 9, '10', 1]) b.add('principle:{id}', id);
    b.add('config:{id}', 'rate.limit');
    b.add('session:{id}', 's-1');
    b.add('session:{id}', 's-2');
    const m = b.build(new Date(AT), true);
    expect(m.families['principle:{id}']).toEqual({
      ranges: [
        [1, 1],
        [3, 5],
        [9, 10],
      ],
    });
    expect(m.families['config:{id}']).toEqual({ keys: ['rate.limit'] });
    expect(m.families['session:{id}']).toEqual({ count: 2 });
    const w = normalizeWarmSet(JSON.parse(JSON.stringify(m)));
    expect(w?.atMs).toBe(AT);
    expect(w?.cleared).toBe(true);
    const look = new WarmLookup(w);
    expect([1, 2, 3, 5, 6, 10, 11].map((id) => look.of('principle:{id}', id))).toEqual([
      'warmed',
      'not_warmed',
      'warmed',
      'warmed',
      'not_warmed',
      'warmed',
      'not_warmed',
    ]);
    expect(look.of('session:{id}', 's-1')).toBe('unknown');
    expect(look.of('policy:{id}', 1)).toBe('not_warmed');
  });

  it('a list cut at its cap says nothing about ids beyond it', () => {
    const ids = Array.from({ length: 20_002 }, (_, i) => i * 2); // no two consecutive: one range each
    const r = rangesOf(ids);
    expect(r.truncated).toBe(true);
    const look = new WarmLookup({
      atMs: AT,
      cleared: true,
      families: { 'principle:{id}': { kind: 'ranges', ranges: r.ranges, truncated: true } },
    });
    expect(look.of('principle:{id}', 2)).toBe('warmed');
    expect(look.of('principle:{id}', 3)).toBe('not_warmed');
    expect(look.of('principle:{id}', 39_000)).toBe('unknown');
  });

  it('binary search finds ids in sorted ranges', () => {
    const ranges: Array<[number, number]> = [
      [1, 3],
      [7, 7],
      [10, 20],
    ];
    expect([0, 1, 3, 4, 7, 8, 15, 21].map((n) => inRanges(ranges, n))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
  });

  it('a missing or malformed warm field is no warm set', () => {
    expect(normalizeWarmSet(null)).toBeNull();
    expect(normalizeWarmSet({ at: 'yesterday', families: {} })).toBeNull();
    expect(normalizeCatalog({}).warm).toBeNull();
    expect(normalizeCatalog({ warm: { at: new Date(AT).toISOString(), families: {} } }).warm).toEqual({
      atMs: AT,
      cleared: false,
      families: {},
    });
  });
});

describe("the scenarios' copies of the key scheme and TTL policy", () => {
  it('name every key pattern with its data type and root table, as schema/description.ts', () => {
    const fromSchema = Object.fromEntries(
      CACHE_FAMILIES.map((f) => [f.pattern, { dataType: f.dataType, table: f.table }]),
    );
    expect(KEY_PATTERNS).toEqual(fromSchema);
  });
  it("hold the configuration's TTL policy defaults", () => {
    expect(TTL_POLICY_SECONDS).toEqual(TTL_POLICY_DEFAULTS);
  });
  it('CACHE_TTL_SECONDS from the run overrides the table; a bad value is refused naming the variable', () => {
    const cfg = configSchema.parse({ cache: { ttlSeconds: { policyDecisions: 60 } } });
    expect(parseCacheTtls(JSON.stringify(policyTtlSeconds(cfg.cache))).policyDecisions).toBe(60);
    const adaptive = configSchema.parse({ cache: { adaptiveTtl: { enabled: true, minFactor: 0.5 } } });
    expect(policyTtlSeconds(adaptive.cache).policyDecisions).toBe(150);
    expect(() => parseCacheTtls('{"policyDecisions":0}')).toThrow('CACHE_TTL_SECONDS.policyDecisions');
    expect(() => parseCacheTtls('{"nope":1}')).toThrow('CACHE_TTL_SECONDS.nope is not a TTL policy');
    expect(() => parseCacheTtls('[1]')).toThrow('CACHE_TTL_SECONDS must be a JSON object');
  });
});
