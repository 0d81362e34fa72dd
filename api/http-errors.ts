/**
 * Errors the target answers with, and the mapping of everything else to a
 * JSON response without a stack. Body shape (docs/api.md):
 * `{"error": "<code>", "message": "...", "field"?: "..."}`.
 */

/** An error with an HTTP status the client should see. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
    /** Extra fields of the error body (e.g. `currentVersion` of a 409). */
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 404 for an id that does not exist. */
export function notFound(what: string, id: string | number, field = 'id'): ApiError {
  return new ApiError(404, 'not_found', `${what} ${JSON.stringify(id)} does not exist`, field);
}

/** 503 with Retry-After: the database or the pool cannot serve now. */
export function unavailable(message: string, retryAfterSeconds = 1): ApiError {
  return new ApiError(503, 'unavailable', message, undefined, retryAfterSeconds);
}

/** Foreign-key constraint name -> the request field that named the missing row. */
const FK_FIELDS: Record<string, string> = {
  amendment_votes_voter_fk: 'voterId',
  amendment_votes_amendment_fk: 'id',
  policy_updates_user_fk: 'updatedBy',
  policy_decisions_policy_fk: 'policyId',
  policy_decisions_subject_fk: 'subjectId',
  compliance_checks_policy_fk: 'policyId',
  compliance_checks_user_fk: 'checkedBy',
  synthesis_results_policy_fk: 'policyId',
  synthesis_results_user_fk: 'requestedBy',
  user_sessions_user_fk: 'userId',
  auth_tokens_user_fk: 'userId',
  audit_log_actor_fk: 'actor',
};

/** Node / PostgreSQL error codes that mean "the database is not reachable now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  '57P01',
  '57P02',
  '57P03', // admin_shutdown, crash_shutdown, cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/**
 * Translates a PostgreSQL / driver error into an ApiError when it is one a
 * client may cause or the service may suffer (FK violation, outage, statement
 * timeout); returns undefined for genuine bugs.
 */
export function fromPgError(e: unknown): ApiError | undefined {
  if (e instanceof ApiError) return e;
  const err = e as { code?: string; constraint?: string; message?: string };
  if (err?.code === '23503') {
    const field = FK_FIELDS[err.constraint ?? ''] ?? 'id';
    return new ApiError(404, 'not_found', `a row referenced by '${field}' does not exist`, field);
  }
  // Class 22, data exception: a value PostgreSQL could not take (schemas should catch these first).
  if (typeof err?.code === 'string' && err.code.startsWith('22')) {
    return new ApiError(400, 'bad_request', `a value was rejected by PostgreSQL: ${err.message ?? err.code}`);
  }
  if (err?.code === '57014') return unavailable('the query ran past the statement timeout', 1);
  if (err?.code === '40001' || err?.code === '40P01') {
    return new ApiError(409, 'conflict', 'the transaction conflicted with a concurrent one; retry');
  }
  if (
    (err?.code && UNAVAILABLE_CODES.has(err.code)) ||
    /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect/i.test(err?.message ?? '')
  ) {
    return unavailable('PostgreSQL is not reachable', 2);
  }
  return undefined;
}
