/**
 * k6's process exit codes, so a caller cannot tell from the code which engine
 * ran the script. Values from k6 `errext/exitcodes/codes.go`.
 */
export const K6_EXIT_CODES = {
  OK: 0,
  CLOUD_TEST_RUN_FAILED: 97,
  CLOUD_FAILED_TO_GET_PROGRESS: 98,
  THRESHOLDS_HAVE_FAILED: 99,
  SETUP_TIMEOUT: 100,
  TEARDOWN_TIMEOUT: 101,
  GENERIC_TIMEOUT: 102,
  GENERIC_ENGINE: 103,
  INVALID_CONFIG: 104,
  EXTERNAL_ABORT: 105,
  CANNOT_START_REST_API: 106,
  SCRIPT_EXCEPTION: 107,
  SCRIPT_ABORTED: 108,
  GO_PANIC: 109,
  MARKED_AS_FAILED: 110,
} as const;

export type K6ExitCode = (typeof K6_EXIT_CODES)[keyof typeof K6_EXIT_CODES];

/**
 * An error that ends the run with a given k6 exit code and a message printed
 * the way k6 prints it (one `level=error` line). Thrown inside the engine,
 * turned into a K6RunResult by runK6; never escapes to callers.
 */
export class K6RunError extends Error {
  readonly exitCode: K6ExitCode;
  readonly details: readonly string[];
  constructor(exitCode: K6ExitCode, message: string, details: string[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'K6RunError';
    this.exitCode = exitCode;
    this.details = details;
  }
}
