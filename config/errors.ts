/**
 * The one catalogue of error kinds the suite reports to people.
 *
 * Every error a user can cause (bad flag, bad profile, unreachable service,
 * foreign database...) is an {@link AcgsError} with a code, a one-line message
 * that names the problem and the value given, a hint that says the fix, and the
 * exit code the process ends with. Only `cli/` prints them and exits; everything
 * else throws them. Modelled on fastify `lib/errors.js` and k6
 * `errext/exitcodes/codes.go` + `errext/hint.go`.
 */

/** Exit codes of `acgs-load` (documented in the README's exit-code table). */
export const ExitCode = {
  OK: 0,
  /** A bug in the suite: an unexpected exception (printed with its stack). */
  INTERNAL: 1,
  /** Bad input: unknown flag, bad value, invalid profile or configuration. */
  BAD_INPUT: 2,
  /** Consistency violated: a checker found violations after the grace period. */
  CONSISTENCY: 3,
  /** Targets missed: thresholds crossed or report targets not met. */
  TARGETS_MISSED: 4,
  /** Infrastructure: PostgreSQL, Redis or the target unreachable or misbehaving. */
  INFRASTRUCTURE: 5,
  /** Refused for safety: the database or key space is not the suite's own, or its schema drifted from the migrations. */
  REFUSED: 6,
  /** A comparison with a baseline found a regression. */
  REGRESSION: 7,
  /** Stopped by Ctrl-C or SIGTERM: the results (marked ABORTED) hold what was measured until then. */
  ABORTED: 8,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorKind =
  | 'BAD_FLAG'
  | 'BAD_CONFIG'
  | 'UNKNOWN_PROFILE'
  | 'BAD_URL'
  | 'PG_UNREACHABLE'
  | 'PG_AUTH'
  | 'PG_READ_ONLY'
  | 'PG_ERROR'
  | 'REDIS_UNREACHABLE'
  | 'REDIS_AUTH'
  | 'REDIS_ERROR'
  | 'NO_SERVICES'
  | 'FOREIGN_DATABASE'
  | 'SCHEMA_TOO_NEW'
  /**
   * The suite's database has a schema other than its migrations define (an index,
   * constraint or column changed behind the suite's back): refused before any load,
   * as the run would measure another schema than the one it reports on.
   */
  | 'SCHEMA_DRIFT'
  | 'TARGET_UNREACHABLE'
  | 'NOT_THE_TARGET'
  | 'UNSAFE_TARGET'
  | 'SCRIPT_ERROR'
  | 'RESULTS_ERROR'
  /** A fault would stop or slow a server the suite did not start and has no commands for. */
  | 'FAULT_REFUSED'
  /** Ctrl-C or SIGTERM before the load started: nothing was measured. */
  | 'ABORTED';

const exitCodeOf: Record<ErrorKind, ExitCodeValue> = {
  BAD_FLAG: ExitCode.BAD_INPUT,
  BAD_CONFIG: ExitCode.BAD_INPUT,
  UNKNOWN_PROFILE: ExitCode.BAD_INPUT,
  BAD_URL: ExitCode.BAD_INPUT,
  PG_UNREACHABLE: ExitCode.INFRASTRUCTURE,
  PG_AUTH: ExitCode.INFRASTRUCTURE,
  PG_READ_ONLY: ExitCode.INFRASTRUCTURE,
  PG_ERROR: ExitCode.INFRASTRUCTURE,
  REDIS_UNREACHABLE: ExitCode.INFRASTRUCTURE,
  REDIS_AUTH: ExitCode.INFRASTRUCTURE,
  REDIS_ERROR: ExitCode.INFRASTRUCTURE,
  NO_SERVICES: ExitCode.INFRASTRUCTURE,
  FOREIGN_DATABASE: ExitCode.REFUSED,
  SCHEMA_TOO_NEW: ExitCode.REFUSED,
  SCHEMA_DRIFT: ExitCode.REFUSED,
  TARGET_UNREACHABLE: ExitCode.INFRASTRUCTURE,
  NOT_THE_TARGET: ExitCode.INFRASTRUCTURE,
  UNSAFE_TARGET: ExitCode.REFUSED,
  SCRIPT_ERROR: ExitCode.BAD_INPUT,
  RESULTS_ERROR: ExitCode.BAD_INPUT,
  FAULT_REFUSED: ExitCode.REFUSED,
  ABORTED: ExitCode.ABORTED,
};

/** An error a person can act on: what was wrong, and how to fix it. */
export class AcgsError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;
  /** Further problems reported together with the first (e.g. all config errors). */
  readonly details: readonly string[];

  constructor(
    kind: ErrorKind,
    message: string,
    opts: { hint?: string; cause?: unknown; details?: string[]; exitCode?: ExitCodeValue } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AcgsError';
    this.kind = kind;
    this.hint = opts.hint;
    this.details = opts.details ?? [];
    this.exitCode = opts.exitCode ?? exitCodeOf[kind];
  }

  /** The text shown to the user: message, details, hint; never a stack. */
  format(): string {
    const lines = [`error[${this.kind}]: ${this.message}`];
    for (const d of this.details) lines.push(`  - ${d}`);
    if (this.hint) lines.push(`hint: ${this.hint}`);
    return lines.join('\n');
  }
}

export function isAcgsError(e: unknown): e is AcgsError {
  return e instanceof AcgsError;
}
