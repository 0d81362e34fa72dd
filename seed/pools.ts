/**
 * Pools of realistic text (names, phrases, sentences, user agents), made with
 * faker ONCE per seed and then picked from by the per-cell hash.
 *
 * Why pools: faker is far too slow to call per cell at millions of rows, and
 * its stream is sequential (a new column would shift all later values). A
 * pool is generated right after `faker.seed(seed)`, so it is the same on every
 * machine for the faker version in package-lock.json.
 *
 * The instance is the one of `@faker-js/faker/locale/en` (locale [en, base], as
 * `new Faker({ locale: [en, base] })` was): that entry loads in ~50 ms, the
 * package's root entry, which loads every locale, in ~700 ms, a cost each
 * seeding worker thread paid at start. Seeding it resets its whole stream, and
 * the pools are built synchronously, so sharing the instance changes nothing.
 */
import { faker } from '@faker-js/faker/locale/en';

/** Text pools of one seed. */
export interface Pools {
  firstNames: string[];
  lastNames: string[];
  domains: string[];
  userAgents: string[];
  catchPhrases: string[];
  buzzPhrases: string[];
  sentences: string[];
  paragraphs: string[];
  comments: string[];
  nouns: string[];
  verbs: string[];
  words: string[];
}

function many(n: number, make: () => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(make());
  return out;
}

/** Builds the pools for `seed` (about 100 ms). Pure: same seed, same pools. */
export function buildPools(seed: number): Pools {
  const f = faker;
  f.seed(seed);
  // Order matters: each pool consumes faker's stream. Append new pools at the end.
  return {
    firstNames: many(400, () => f.person.firstName()),
    lastNames: many(400, () => f.person.lastName()),
    domains: many(60, () => f.internet.domainName()),
    userAgents: many(150, () => f.internet.userAgent()),
    catchPhrases: many(400, () => f.company.catchPhrase()),
    buzzPhrases: many(400, () => f.company.buzzPhrase()),
    sentences: many(1500, () => f.lorem.sentence({ min: 6, max: 14 })),
    paragraphs: many(400, () => f.lorem.paragraph({ min: 2, max: 5 })),
    comments: many(800, () => f.lorem.sentences({ min: 1, max: 3 })),
    nouns: many(300, () => f.word.noun()),
    verbs: many(200, () => f.word.verb()),
    words: many(500, () => f.lorem.word()),
  };
}

const cache = new Map<number, Pools>();

/** The pools of `seed`, built on first use and kept for the process. */
export function poolsFor(seed: number): Pools {
  let p = cache.get(seed);
  if (!p) {
    p = buildPools(seed);
    cache.set(seed, p);
  }
  return p;
}
