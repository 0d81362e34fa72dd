/**
 * redis-stop and postgres-restart: stop the server, keep it down for the
 * fault's duration, start it again, and wait until it answers. The fault's
 * window runs from the moment the stop begins to the moment the server
 * answers again (what the target experiences), not just the planned duration.
 */
import { blankOutcome, sleep, type Injector } from './types.ts';

/** Stops the fault's server, waits, starts it; the outcome says when each happened. */
export const injectServerStop: Injector = async (fault, ctx) => {
  const control = fault.control;
  const out = blankOutcome(fault, control?.method ?? 'none');
  if (!control) {
    out.error = 'no control for this server (refused at preflight)';
    return out;
  }
  out.startedAt = Date.now();
  try {
    await control.stop();
  } catch (e) {
    out.error = `stop failed: ${(e as Error).message}`;
    out.endedAt = Date.now();
    return out;
  }
  out.injected = true;
  const downAt = Date.now();
  ctx.log(`  fault ${fault.label}: server stopped (${downAt - out.startedAt} ms)`);
  await sleep(fault.durationSeconds * 1000, ctx.signal);
  const startAt = Date.now();
  try {
    await control.start();
  } catch (e) {
    out.error = `start failed: ${(e as Error).message}`;
  }
  out.endedAt = Date.now();
  out.notes.push(
    `down for ${((startAt - downAt) / 1000).toFixed(1)} s; stopping took ${downAt - out.startedAt} ms, starting until it answered ${out.endedAt - startAt} ms`,
  );
  if (fault.kind === 'redis-stop') {
    // INFO counters live in the server process: the restarted one counts from zero.
    out.notes.push(
      "Redis restarted: its INFO counters (commandstats, keyspace hits/misses) restarted from zero, so this run's server-side Redis deltas in the cache tables do not cover the whole run",
    );
  }
  ctx.log(
    `  fault ${fault.label}: ${out.error ? out.error : `server answers again (${out.endedAt - startAt} ms to start)`}`,
  );
  return out;
};
