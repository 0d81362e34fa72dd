/**
 * Public API of seed/: the deterministic dataset loader (row generators, COPY,
 * the fingerprint that skips a reload) and the one cache warmer.
 */
export { seedDatabase } from './seed-database.ts';
export type { SeedOptions, SeedProgressEvent, SeedStepEvent, SeedSummary } from './seed-database.ts';
export { datasetFingerprint } from './fingerprint.ts';
export { GENERATOR_VERSION, FAR_FUTURE_MS } from './context.ts';
export { targetRows, BASE_ROWS } from './sizes.ts';
export { warmCache, emptyCache } from './warm.ts';
export type { WarmOptions, WarmProgressEvent, WarmResult } from './warm.ts';
