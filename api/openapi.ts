/**
 * The OpenAPI 3.1 document of the target, generated from the route schemas
 * themselves (so the contract and the validation cannot drift apart). The
 * committed copy, api/openapi.json, is checked against it by a test;
 * regenerate it with `npm run target:openapi`.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { errorSchema } from './routes/_shared.ts';

declare module 'fastify' {
  interface FastifySchema {
    /** One line for the OpenAPI operation. */
    summary?: string;
    tags?: string[];
    /** Documentation of the success response (not used for serialisation). */
    'x-response'?: { status?: number; description: string };
  }
}

interface CollectedRoute {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

/** Records every route as it is added (register before the routes). */
export function collectRoutes(app: FastifyInstance): CollectedRoute[] {
  const routes: CollectedRoute[] = [];
  app.addHook('onRoute', (r: RouteOptions) => {
    const methods = Array.isArray(r.method) ? r.method : [r.method];
    for (const m of methods) {
      if (m === 'HEAD' || (r as { config?: { hidden?: boolean } }).config?.hidden) continue;
      routes.push({ method: m.toLowerCase(), url: r.url, schema: (r.schema ?? {}) as Record<string, unknown> });
    }
  });
  return routes;
}

function parameters(schema: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const [part, where] of [
    ['params', 'path'],
    ['querystring', 'query'],
  ] as const) {
    const s = schema[part] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, sub] of Object.entries(s?.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (s?.required ?? []).includes(name), schema: sub });
    }
  }
  return out;
}

const ERROR_RESPONSES = {
  '400': {
    description: 'invalid input; `field` names it',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '404': {
    description: 'unknown id or route',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '503': {
    description: 'PostgreSQL unreachable or no pool connection within the acquire timeout; see Retry-After',
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
};

/** Pure: the OpenAPI document of the collected routes. */
export function buildOpenApi(routes: readonly CollectedRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  for (const r of sorted) {
    const path = r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const s = r.schema;
    const doc = (s['x-response'] ?? { description: 'success' }) as { status?: number; description: string };
    const op: Record<string, unknown> = {
      summary: s.summary ?? `${r.method.toUpperCase()} ${path}`,
      tags: s.tags ?? ['system'],
      parameters: parameters(s),
      responses: {
        [String(doc.status ?? 200)]: { description: doc.description },
        ...(s.params || s.querystring || s.body ? ERROR_RESPONSES : {}),
        ...(r.method === 'get'
          ? {}
          : {
              '409': { description: 'conflict (duplicate vote, stale expectedVersion, closed amendment)' },
              '413': { description: 'body larger than the limit' },
            }),
      },
    };
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
    (paths[path] ??= {})[r.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ACGS reference governance API (acgs-load target)',
      version,
      description:
        'Every response carries Server-Timing (db;dur=..;desc="<query type>", cache;dur=..;desc="<op>") and X-Cache: HIT|MISS|BYPASS. ' +
        'Writes accept X-Run-Id and X-Client-Request-Id headers (or runId / clientRequestId body fields) and store them. See docs/api.md.',
    },
    paths,
    components: { schemas: { Error: errorSchema } },
  };
}
