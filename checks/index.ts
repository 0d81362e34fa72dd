/**
 * Public API of checks/: the consistency checkers, an independent oracle that
 * reads PostgreSQL and Redis directly. It shares no code with api/ (an
 * oracle that shares code with what it checks shares its bugs); it knows the
 * schema and cache key scheme only from schema/description.ts and
 * docs/cache-keys.md, or from a user's description file.
 */
export { runChecks, parseCheckerNames } from './run-checks.ts';
export { formatChecksTable } from './format.ts';
export { readAcknowledgedWrites } from './acked-writes.ts';
export { loadDescription, builtinDescription } from './description.ts';
export type { SchemaDescription } from './description.ts';
export { CHECKER_NAMES } from './types.ts';
export type {
  AckedWrite,
  CheckerName,
  CheckerResult,
  CheckOptions,
  CheckProgressEvent,
  ChecksResult,
} from './types.ts';
export { nines, formatNines } from './nines.ts';
