/** Public API of config/: the typed configuration, its loader and the error catalogue. */
export * from './schema.ts';
export {
  loadConfig,
  listProfiles,
  readProfile,
  redactConfig,
  redactUrl,
  deepMerge,
  ENV_VARS,
  PROFILES_DIR,
} from './load.ts';
export type { LoadOptions } from './load.ts';
export { AcgsError, ExitCode, isAcgsError } from './errors.ts';
export type { ErrorKind, ExitCodeValue } from './errors.ts';
export { parseDuration, formatDuration } from './duration.ts';
