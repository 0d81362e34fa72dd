/**
 * Public API of seed/: schema migrations and the suite's marker, the
 * deterministic dataset loader, the cache warmer, and the written description
 * of the schema and cache key scheme.
 */
export { ensureDatabase } from '../services/index.ts';
export { migrate, migrationStatus, readMarker, MIGRATIONS, SUITE_TABLES } from '../schema/index.ts';
export type { Marker } from '../schema/index.ts';
export { seedDatabase } from './seed-database.ts';
export type { SeedOptions, SeedProgressEvent, SeedSummary } from './seed-database.ts';
export { datasetFingerprint } from './fingerprint.ts';
export { GENERATOR_VERSION, FAR_FUTURE_MS } from './context.ts';
export { targetRows, BASE_ROWS } from './sizes.ts';
export { warmCache } from './warm.ts';
export type { WarmOptions, WarmResult } from './warm.ts';
export * from '../schema/index.ts';
