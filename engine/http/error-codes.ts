/**
 * Node/undici errors mapped to k6's HTTP error codes and messages
 * (k6 docs "Error codes"; k6 source lib/netext/httpext/error_codes.go).
 */

/** k6 error codes the embedded engine can produce. */
export const K6_HTTP_ERRORS = {
  GENERIC: 1000,
  NON_TCP_NETWORK: 1010,
  INVALID_URL: 1020,
  REQUEST_TIMEOUT: 1050,
  DNS_GENERIC: 1100,
  DNS_NO_SUCH_HOST: 1101,
  TCP_GENERIC: 1200,
  TCP_BROKEN_PIPE: 1201,
  TCP_DIAL: 1210,
  TCP_DIAL_TIMEOUT: 1211,
  TCP_DIAL_REFUSED: 1212,
  TCP_RESET_BY_PEER: 1220,
  TLS_GENERIC: 1300,
  TLS_UNKNOWN_AUTHORITY: 1310,
  TLS_HOSTNAME: 1311,
  RESPONSE_DECOMPRESSION: 1701,
} as const;

/** A k6 error code with k6's message for it. */
export interface K6HttpError {
  code: number;
  message: string;
}

/** The k6 code and message for an error thrown by a request. */
export function k6ErrorFor(err: unknown): K6HttpError {
  const e = (err ?? {}) as { code?: string; message?: string; cause?: unknown; syscall?: string };
  const code = e.code ?? '';
  const msg = e.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return { code: K6_HTTP_ERRORS.TCP_DIAL_REFUSED, message: 'dial: connection refused' };
    case 'ECONNRESET':
      return { code: K6_HTTP_ERRORS.TCP_RESET_BY_PEER, message: 'read: connection reset by peer' };
    case 'EPIPE':
      return { code: K6_HTTP_ERRORS.TCP_BROKEN_PIPE, message: 'write: broken pipe' };
    case 'ENOTFOUND':
      return { code: K6_HTTP_ERRORS.DNS_NO_SUCH_HOST, message: 'lookup: no such host' };
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return { code: K6_HTTP_ERRORS.DNS_GENERIC, message: `lookup: ${msg}` };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { code: K6_HTTP_ERRORS.TCP_DIAL_TIMEOUT, message: 'dial: i/o timeout' };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return { code: K6_HTTP_ERRORS.TCP_DIAL, message: `dial: ${msg}` };
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return { code: K6_HTTP_ERRORS.REQUEST_TIMEOUT, message: 'request timeout' };
    case 'UND_ERR_SOCKET':
      return { code: K6_HTTP_ERRORS.GENERIC, message: msg === 'other side closed' ? 'EOF' : msg };
    case 'UND_ERR_INVALID_ARG':
      return { code: K6_HTTP_ERRORS.GENERIC, message: msg };
    case 'ERR_INVALID_URL':
      return { code: K6_HTTP_ERRORS.INVALID_URL, message: `invalid URL: ${msg}` };
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return { code: K6_HTTP_ERRORS.TLS_UNKNOWN_AUTHORITY, message: 'x509: unknown authority' };
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return { code: K6_HTTP_ERRORS.TLS_HOSTNAME, message: "x509: certificate doesn't match hostname" };
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL'))
    return { code: K6_HTTP_ERRORS.TLS_GENERIC, message: msg };
  if (e.cause) return k6ErrorFor(e.cause);
  return { code: K6_HTTP_ERRORS.GENERIC, message: msg };
}
