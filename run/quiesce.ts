/**
 * Quiesce: after the load stops, wait until the target has no request in
 * flight (no pool connection in use, nobody waiting), so the checkers do not
 * race a write that is still committing or an invalidation still on its way.
 * Bounded: gives up after `maxMs` and says so (the checkers' grace period
 * then covers what remains).
 */
import type { ApiSampler } from '../measure/index.ts';

export async function quiesce(sampler: ApiSampler, maxMs = 10_000): Promise<string> {
  const t0 = Date.now();
  let quietSamples = 0;
  while (Date.now() - t0 < maxMs) {
    const s = await sampler.scrape();
    const p = sampler.points[sampler.points.length - 1];
    if (s && p && p.inUse === 0 && p.waiting === 0) {
      // two quiet scrapes in a row, 100 ms apart
      if (++quietSamples >= 2) return `quiet after ${Date.now() - t0} ms`;
    } else {
      quietSamples = 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return `still busy after ${maxMs} ms; the checkers' grace period covers the rest`;
}
