/**
 * pool-exhaust: more concurrent slow requests than the target's pool holds.
 *
 * The target has no endpoint that sleeps, so the requests are made slow the
 * way production queries get slow: a lock. The injector holds one policy row
 * `FOR UPDATE` on a connection of its own, then sends poolMax + EXTRA
 * concurrent `PUT /api/v1/policies/:id` for that row. Each one takes a pool
 * connection and waits on the lock inside its transaction, so the pool is
 * full; the EXTRA requests (and every request of the load that needs the
 * database) wait for a connection and, past pool.acquireTimeoutMs, get 503
 * with Retry-After. After the fault's duration the lock is released: the
 * queued updates finish (one succeeds, the rest get 409 version_conflict),
 * and the injector measures how long the pool takes to be back to normal
 * (nobody waiting, fewer connections in use than the maximum) from /metrics.
 */
import pg from 'pg';
import { parsePrometheus, sumOf } from '../measure/index.ts';
import { blankOutcome, sleep, type Injector, type PoolExhaustOutcome } from './types.ts';

/** Requests sent beyond the pool's maximum (at least 5, or half the pool). */
export function extraRequests(poolMax: number): number {
  return Math.max(5, Math.ceil(poolMax / 2));
}

interface PoolSample {
  inUse: number;
  waiting: number;
  max: number;
}

async function poolSample(baseUrl: string): Promise<PoolSample | null> {
  try {
    const res = await fetch(new URL('/metrics', baseUrl), { signal: AbortSignal.timeout(2000) });
    const s = parsePrometheus(await res.text());
    return {
      inUse: sumOf(s, 'acgs_pool_connections', { state: 'in_use' }),
      waiting: sumOf(s, 'acgs_pool_waiting'),
      max: sumOf(s, 'acgs_pool_max'),
    };
  } catch {
    return null;
  }
}

async function getJson(baseUrl: string, path: string): Promise<any> {
  const res = await fetch(new URL(path, baseUrl), { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}`);
  return res.json();
}

/** Sends one slow update; resolves with its status and Retry-After (never rejects). */
async function slowUpdate(
  baseUrl: string,
  policyId: number,
  body: object,
  runId: string,
  i: number,
  timeoutMs: number,
): Promise<{ status: string; retryAfter: string | null }> {
  try {
    const res = await fetch(new URL(`/api/v1/policies/${policyId}`, baseUrl), {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'x-run-id': `${runId}-fault`,
        'x-client-request-id': `pool-exhaust-${i}`,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { status: String(res.status), retryAfter: res.headers.get('retry-after') };
  } catch (e) {
    return { status: (e as Error).name === 'TimeoutError' ? 'client timeout' : 'connection error', retryAfter: null };
  }
}

/** Watches the pool every 200 ms until stopped; keeps peaks and the samples' times. */
function watchPool(baseUrl: string) {
  const seen: Array<PoolSample & { t: number }> = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const s = await poolSample(baseUrl);
      if (s) seen.push({ ...s, t: Date.now() });
      await sleep(200);
    }
  })();
  return {
    seen,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Exhausts the target's pool for the fault's duration and measures its recovery. */
export const injectPoolExhaust: Injector = async (fault, ctx) => {
  const out = blankOutcome(
    fault,
    'row lock held by the suite + poolMax + extra concurrent PUT /api/v1/policies/:id waiting on it',
  );
  const acquireTimeoutMs = ctx.config.pool.acquireTimeoutMs;
  const lock = new pg.Client({ connectionString: ctx.databaseUrl });
  lock.on('error', () => {});
  const watch = watchPool(ctx.targetUrl);
  try {
    const ids = await getJson(ctx.targetUrl, '/api/v1/ids');
    const policyId: number = ids.policies.max;
    const userId: number = ids.users.min;
    const policy = await getJson(ctx.targetUrl, `/api/v1/policies/${policyId}`);
    const poolMax = (await poolSample(ctx.targetUrl))?.max || ctx.config.pool.size + ctx.config.pool.overflow;
    const n = poolMax + extraRequests(poolMax);
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT id FROM policies WHERE id = $1 FOR UPDATE', [policyId]);
    out.startedAt = Date.now();
    out.injected = true;
    const body = {
      expectedVersion: policy.policy.version,
      updatedBy: userId,
      description: `pool-exhaust fault ${ctx.runId}`,
    };
    const timeoutMs = fault.durationSeconds * 1000 + acquireTimeoutMs + ctx.config.pool.statementTimeoutMs + 10_000;
    const requests = Array.from({ length: n }, (_, i) =>
      slowUpdate(ctx.targetUrl, policyId, body, ctx.runId, i, timeoutMs),
    );
    ctx.log(`  fault ${fault.label}: policy ${policyId} locked, ${n} concurrent updates for a pool of ${poolMax}`);
    await sleep(fault.durationSeconds * 1000, ctx.signal);
    await lock.query('ROLLBACK');
    const releasedAt = Date.now();
    out.endedAt = releasedAt;
    const answers = await Promise.all(requests);
    // Back to normal: two samples in a row with nobody waiting and free connections.
    let recoveredAt: number | null = null;
    const deadline = Date.now() + 30_000;
    let quiet = 0;
    while (Date.now() < deadline) {
      const s = await poolSample(ctx.targetUrl);
      if (s && s.waiting === 0 && s.inUse < s.max) {
        if (++quiet === 1) recoveredAt = Date.now();
        if (quiet >= 2) break;
      } else {
        quiet = 0;
        recoveredAt = null;
      }
      await sleep(100);
    }
    await watch.stop();
    const health = await fetch(new URL('/healthz', ctx.targetUrl), { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.status,
      () => null,
    );
    out.pool = summarise(
      answers,
      watch.seen.filter((s) => s.t >= out.startedAt!),
      { poolMax, acquireTimeoutMs, releasedAt, recoveredAt, health },
    );
    ctx.log(
      `  fault ${fault.label}: released; ${out.pool.rejected503} × 503, pool normal after ${out.pool.recoverySeconds?.toFixed(2) ?? 'n/a'} s`,
    );
  } catch (e) {
    out.error = `pool exhaustion failed: ${(e as Error).message}`;
    out.endedAt ??= Date.now();
    await lock.query('ROLLBACK').catch(() => undefined);
  } finally {
    await watch.stop();
    await lock.end().catch(() => undefined);
  }
  return out;
};

function summarise(
  answers: Array<{ status: string; retryAfter: string | null }>,
  samples: PoolSample[],
  o: {
    poolMax: number;
    acquireTimeoutMs: number;
    releasedAt: number;
    recoveredAt: number | null;
    health: number | null;
  },
): PoolExhaustOutcome {
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  const rejected = answers.filter((a) => a.status === '503');
  return {
    poolMax: o.poolMax,
    acquireTimeoutMs: o.acquireTimeoutMs,
    slowRequests: answers.length,
    statuses,
    rejected503: rejected.length,
    retryAfter: [...new Set(rejected.map((a) => a.retryAfter).filter((v): v is string => v !== null))],
    missingRetryAfter: rejected.filter((a) => a.retryAfter === null).length,
    peakWaiting: samples.reduce((m, s) => Math.max(m, s.waiting), 0),
    peakInUse: samples.reduce((m, s) => Math.max(m, s.inUse), 0),
    recoverySeconds: o.recoveredAt === null ? null : Math.max(0, o.recoveredAt - o.releasedAt) / 1000,
    healthStatusAfter: o.health,
    samples: samples.length,
  };
}
