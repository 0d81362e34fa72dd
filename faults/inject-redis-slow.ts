/**
 * redis-slow: Redis stalls for SLICE_MS out of every PERIOD_MS for the
 * fault's duration, so every command waits up to SLICE_MS: slow, but under
 * the target's 500 ms command timeout (docs/api.md, "Redis outage").
 *
 * `DEBUG SLEEP` when the server allows it. Redis 7 disables DEBUG unless
 * started with `enable-debug-command` (redis.conf, "enable-debug-command"),
 * and then the same stall comes from `CLIENT PAUSE <ms> ALL` (Redis >= 6.2),
 * which holds every client's commands for the given time; the outcome says
 * which one was used.
 */
import { Redis } from 'ioredis';
import { blankOutcome, sleep, type Injector } from './types.ts';

/** Length of one stall. */
export const SLICE_MS = 200;
/** One stall starts every PERIOD_MS. */
export const PERIOD_MS = 300;

async function debugAllowed(r: Redis): Promise<{ ok: boolean; why?: string }> {
  try {
    await r.call('DEBUG', 'SLEEP', '0');
    return { ok: true };
  } catch (e) {
    return { ok: false, why: (e as Error).message.split('.')[0] };
  }
}

/** Stalls Redis in slices for the fault's duration. */
export const injectRedisSlow: Injector = async (fault, ctx) => {
  const out = blankOutcome(fault, 'Redis stalled');
  const r = new Redis(ctx.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    const debug = await debugAllowed(r);
    out.method = debug.ok
      ? `DEBUG SLEEP ${SLICE_MS / 1000} every ${PERIOD_MS} ms`
      : `CLIENT PAUSE ${SLICE_MS} ALL every ${PERIOD_MS} ms`;
    if (!debug.ok)
      out.notes.push(`DEBUG is disabled on this server (${debug.why}); stalled with CLIENT PAUSE ALL instead`);
    const until = Date.now() + fault.durationSeconds * 1000;
    out.startedAt = Date.now();
    out.injected = true;
    let stalls = 0;
    while (Date.now() < until && !ctx.signal.aborted) {
      const t0 = Date.now();
      if (debug.ok) await r.call('DEBUG', 'SLEEP', String(SLICE_MS / 1000));
      else {
        await r.call('CLIENT', 'PAUSE', String(SLICE_MS), 'ALL');
        await sleep(SLICE_MS, ctx.signal);
      }
      stalls++;
      await sleep(Math.max(0, PERIOD_MS - (Date.now() - t0)), ctx.signal);
    }
    if (!debug.ok) await r.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    out.endedAt = Date.now();
    out.notes.push(`${stalls} stalls of ${SLICE_MS} ms`);
    ctx.log(`  fault ${fault.label}: ${stalls} stalls of ${SLICE_MS} ms (${out.method})`);
  } catch (e) {
    out.error = `Redis could not be slowed: ${(e as Error).message}`;
    out.endedAt = Date.now();
  } finally {
    r.disconnect();
  }
  return out;
};
