/**
 * Turns anything thrown while serving a request into the JSON error body of
 * docs/api.md. Validation errors name the field; oversize bodies are 413;
 * outages are 503 with Retry-After; nothing leaks a stack trace.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, fromPgError } from './http-errors.ts';

interface ValidationItem {
  instancePath?: string;
  params?: { missingProperty?: string; additionalProperty?: string };
}

/** Pure: the field a validation error is about, as a dotted path (`principleIds.0`). */
export function validationField(items: readonly ValidationItem[] | undefined, context: string | undefined): string {
  const first = items?.[0];
  const path = (first?.instancePath ?? '').split('/').filter(Boolean);
  const extra = first?.params?.missingProperty ?? first?.params?.additionalProperty;
  if (extra) path.push(extra);
  return path.length ? path.join('.') : (context ?? 'body');
}

/** Pure: the ApiError for any error; `internal` when it is not one a client could cause. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError & { validation?: ValidationItem[]; validationContext?: string };
  if (e?.validation) {
    const field = validationField(e.validation, e.validationContext);
    return new ApiError(400, 'bad_request', e.message, field);
  }
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'payload_too_large', e.message);
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError(415, 'unsupported_media_type', e.message);
  const fromPg = fromPgError(err);
  if (fromPg) return fromPg;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors: bad JSON, empty JSON body, bad content length...
    return new ApiError(
      status,
      status === 400 ? 'bad_request' : 'client_error',
      e.message ?? 'bad request',
      status === 400 ? 'body' : undefined,
    );
  }
  return new ApiError(500, 'internal', 'internal error (logged by the target)');
}

/** fastify error handler. */
export function handleError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const api = toApiError(err);
  if (api.statusCode >= 500 && api.statusCode !== 503) req.log.error({ err }, 'unexpected error');
  if (api.retryAfterSeconds !== undefined) reply.header('Retry-After', String(api.retryAfterSeconds));
  const body: Record<string, unknown> = { error: api.code, message: api.message };
  if (api.field !== undefined) body.field = api.field;
  if (api.extra) Object.assign(body, api.extra);
  return reply.code(api.statusCode).send(body);
}
