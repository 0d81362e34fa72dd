/**
 * Public API of schema/: the versioned migrations with the marker that makes a
 * database the suite's own, and the written description of tables, columns,
 * references and cache keys that seed/, api/ and checks/ each read (none of
 * them shares code about it; docs/cache-keys.md is the prose form).
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
  MIGRATIONS,
  SUITE_TABLES,
  type Migration,
  type Marker,
  type DbState,
} from './migrations.ts';
export * from './description.ts';
