/**
 * Public API of schema/: the versioned migrations with the marker that makes a
 * database the suite's own, the drift check of a live schema against them
 * (drift.ts), and the written description of tables, columns, references and
 * cache keys that seed/, api/ and checks/ each read (none of them shares code
 * about it; docs/cache-keys.md is the prose form).
 */
export {
  migrate,
  migrationStatus,
  readMarker,
  readState,
  assertOwned,
  writeMarker,
  applyMigration,
  currentOf,
  pendingOf,
  dropSuiteTables,
  migrationStatements,
  MIGRATIONS,
  SUITE_TABLES,
  type Migration,
  type Marker,
  type DbState,
} from './migrations.ts';
export {
  assertSchemaMatches,
  schemaDrift,
  findDrift,
  repairDrift,
  driftError,
  diffCatalogs,
  expectedCatalog,
  liveCatalog,
  type SchemaDrift,
  type RepairStep,
  type Catalog,
  type CatalogTable,
  type CatalogIndex,
  type CatalogConstraint,
} from './drift.ts';
export * from './description.ts';
export {
  WARM_META_KEY,
  WARM_LIST_CAP,
  WarmSetBuilder,
  rangesOf,
  parseWarmMarker,
  type WarmMarker,
  type WarmFamily,
} from './warm-marker.ts';
