/**
 * fastify plugin that owns the Redis client: connects (a Redis that is down at
 * start leaves the target up and degraded, reads BYPASS the cache until it
 * answers), and quits when the app closes. Decorates `app.cache`.
 * (After fastify-redis `index.js`.)
 */
import type { FastifyInstance } from 'fastify';
import { Cache } from '../cache.ts';
import type { ApiMetrics } from '../metrics.ts';

declare module 'fastify' {
  interface FastifyInstance {
    cache: Cache;
  }
}

export interface RedisPluginOptions {
  redisUrl: string;
  prefix: string;
  metrics: ApiMetrics;
}

async function redisPlugin(app: FastifyInstance, opts: RedisPluginOptions): Promise<void> {
  const cache = new Cache(opts.redisUrl, opts.prefix);
  cache.instrument(opts.metrics);
  await cache.start();
  app.decorate('cache', cache);
  app.addHook('onClose', async () => {
    await cache.close();
  });
}

(redisPlugin as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
(redisPlugin as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'acgs-redis';

export default redisPlugin;
