/**
 * Assembles the fastify app: metrics, per-request timing, the PostgreSQL and
 * Redis plugins, error handling, and the routes. `startApi` (index.ts)
 * listens on it; `openApiDocument` builds the contract without any service.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.ts';
import { CacheAside } from './cache-aside.ts';
import { handleError } from './errors-handler.ts';
import { ApiError } from './http-errors.ts';
import { Defects } from './defects.ts';
import { createMetrics, type ApiMetrics } from './metrics.ts';
import { buildOpenApi, collectRoutes } from './openapi.ts';
import postgresPlugin from './plugins/postgres.ts';
import redisPlugin from './plugins/redis.ts';
import { registerRoutes, type RouteDeps, type SystemDeps } from './routes/index.ts';
import { RequestTiming } from './timing.ts';

/** Largest request body accepted; larger gives 413. */
export const BODY_LIMIT_BYTES = 64 * 1024;
export const API_VERSION = '1.0.0';

declare module 'fastify' {
  interface FastifyRequest {
    timing: RequestTiming;
  }
}

/** The fastify instance with hooks and error handling, before plugins and routes. */
function baseApp(
  logger: boolean,
  metrics: ApiMetrics | undefined,
): { app: FastifyInstance; routes: ReturnType<typeof collectRoutes> } {
  const app = Fastify({
    logger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    // Reject unknown fields with a 400 that names them, instead of dropping them silently.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  });
  const routes = collectRoutes(app);
  app.decorateRequest('timing', null as unknown as RequestTiming);
  // The hooks take fastify's callback form: on every request an async hook costs a
  // promise and a microtask turn more, and these never wait for anything.
  app.addHook('onRequest', (req, _reply, done) => {
    req.timing = new RequestTiming();
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    const timing = req.timing ?? new RequestTiming();
    reply.header('Server-Timing', timing.header(reply.elapsedTime));
    reply.header('X-Cache', timing.cache);
    done(null, payload);
  });
  if (metrics) {
    // One label set per route, method and status, built once (prom-client keeps a reference, never mutates it).
    const labelSets = new Map<string, { route: string; method: string; status: string }>();
    app.addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions.url ?? 'unmatched';
      const k = `${reply.statusCode} ${req.method} ${route}`;
      let labels = labelSets.get(k);
      if (!labels) {
        labels = Object.freeze({ route, method: req.method, status: String(reply.statusCode) });
        // Unmatched URLs all share the route 'unmatched', so the routes bound the map.
        labelSets.set(k, labels);
      }
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      done();
    });
  }
  // ajv (coerceTypes) turns "1e309" into Infinity and then skips `maximum`, so a
  // non-finite number can pass validation and reach PostgreSQL (found by
  // the property-based bad-input test): refuse it here, naming the field.
  app.addHook('preHandler', (req, _reply, done) => {
    done(nonFinite('params', req.params) ?? nonFinite('query', req.query) ?? nonFinite('body', req.body));
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${req.url.slice(0, 200)}` });
  });
  return { app, routes };
}

/** A 400 naming the first top-level field of `values` that is a non-finite number; undefined when none is. */
function nonFinite(part: string, values: unknown): ApiError | undefined {
  if (!values || typeof values !== 'object' || Array.isArray(values)) return undefined;
  const fields = values as Record<string, unknown>;
  for (const k in fields) {
    if (!Object.prototype.hasOwnProperty.call(fields, k)) continue;
    const v = fields[k];
    if (typeof v === 'number' && !Number.isFinite(v))
      return new ApiError(400, 'bad_request', `${part} field '${k}' must be a finite number`, k);
  }
  return undefined;
}

export interface BuiltApp {
  app: FastifyInstance;
  defects: Defects;
  metrics: ApiMetrics;
  cacheAside: CacheAside;
}

/** Builds the app with live services; plugins connect and check readiness here. */
export async function buildApp(opts: {
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  logger?: boolean;
}): Promise<BuiltApp> {
  const { config } = opts;
  let appRef: FastifyInstance | undefined;
  const metrics = createMetrics(
    () => (appRef?.hasDecorator('pg') ? appRef.pg.snapshot() : { total: 0, idle: 0, waiting: 0 }),
    () => (appRef?.hasDecorator('cache') ? appRef.cache.pendingCount() : 0),
  );
  const { app, routes } = baseApp(opts.logger ?? false, metrics);
  appRef = app;
  const defects = new Defects(config.api.defects, (defect) => metrics.defectsInjected.inc({ defect }));
  try {
    await app.register(postgresPlugin, { databaseUrl: opts.databaseUrl, pool: config.pool, metrics });
    await app.register(redisPlugin, { redisUrl: opts.redisUrl, prefix: config.redis.prefix, metrics });
    // Off (the default), the query path has no defect check at all.
    if (defects.slowsQueries()) app.pg.slowDown((type, elapsedMs) => defects.queryDelayMs(type, elapsedMs));
    const cacheAside = new CacheAside(app.cache, config, defects, metrics);
    const deps: RouteDeps = { db: app.pg, cache: cacheAside, config, defects };
    let doc: Record<string, unknown> | undefined;
    const system: SystemDeps = {
      db: app.pg,
      cache: app.cache,
      defects,
      metrics,
      openapi: () => (doc ??= buildOpenApi(routes, API_VERSION)),
    };
    registerRoutes(app, deps, system);
    await app.ready();
    return { app, defects, metrics, cacheAside };
  } catch (e) {
    await app.close().catch(() => {});
    throw e;
  }
}

/** The OpenAPI document, built from the route schemas without connecting to anything. */
export async function openApiDocument(config: Readonly<Config>): Promise<Record<string, unknown>> {
  const { app, routes } = baseApp(false, undefined);
  // Handlers never run here: the routes are only registered to read their schemas.
  const idle = {} as never;
  registerRoutes(
    app,
    { db: idle, cache: idle, config, defects: idle },
    { db: idle, cache: idle, defects: idle, metrics: idle, openapi: () => ({}) },
  );
  await app.ready();
  await app.close();
  return buildOpenApi(routes, API_VERSION);
}
