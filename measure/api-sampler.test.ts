/**
 * The sampler's utilisation counts only the samples taken while the load ran
 * (start() .. markLoadEnded() or stop()); the idle scrapes before and after
 * (the "before" snapshot, stop()'s own, the quiesce stage's) stay in the time
 * series but not in the mean. A local HTTP server plays the target's /metrics.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiSampler } from './api-sampler.ts';

let server: Server;
let base: string;
const pool = { inUse: 0, waiting: 0, max: 6 };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.end(
      [
        `acgs_pool_connections{state="in_use"} ${pool.inUse}`,
        `acgs_pool_connections{state="idle"} ${pool.max - pool.inUse}`,
        `acgs_pool_waiting ${pool.waiting}`,
        `acgs_pool_max ${pool.max}`,
      ].join('\n') + '\n',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Scrapes taken by the timer, with the pool busy (and 2 waiting) from start() until the load ends. */
async function loadedRun(sampler: ApiSampler, endLoad: () => void): Promise<void> {
  pool.inUse = 0;
  pool.waiting = 0;
  await sampler.scrape(); // the "before" snapshot: idle
  sampler.start();
  pool.inUse = 6;
  pool.waiting = 2;
  await sleep(150);
  endLoad();
  pool.inUse = 0;
  pool.waiting = 0;
}

describe('ApiSampler utilisation', () => {
  it('counts only the samples between start() and markLoadEnded()', async () => {
    const sampler = new ApiSampler(base, 20);
    await loadedRun(sampler, () => sampler.markLoadEnded());
    await sleep(100); // e.g. faults being lifted: the timer still scrapes an idle pool
    await sampler.stop();
    for (let i = 0; i < 3; i++) await sampler.scrape(); // quiesce
    const idleSamples = sampler.points.filter((p) => p.inUse === 0).length;
    expect(idleSamples).toBeGreaterThanOrEqual(5);
    expect(sampler.loadPoints().length).toBeGreaterThan(0);
    expect(sampler.loadPoints().every((p) => p.inUse === 6)).toBe(true);
    expect(sampler.utilisation()).toEqual({ mean: 1, peak: 1, peakWaiting: 2 });
    // The time series keeps every scrape: the load's, the idle ones, and at
    // most one that was in flight when the load ended (answered busy, arrived
    // after the mark, so it is charted but not counted).
    expect(sampler.points).toEqual(expect.arrayContaining(sampler.loadPoints()));
    const uncounted = sampler.points.length - sampler.loadPoints().length - idleSamples;
    expect(uncounted).toBeGreaterThanOrEqual(0);
    expect(uncounted).toBeLessThanOrEqual(1);
  });

  it('without a mark, stop() ends the load: its own scrape and later ones do not count', async () => {
    const sampler = new ApiSampler(base, 20);
    await loadedRun(sampler, () => undefined);
    await sampler.stop();
    await sampler.scrape();
    expect(sampler.utilisation()).toEqual({ mean: 1, peak: 1, peakWaiting: 2 });
  });

  it('is unknown (null) when no sample was taken while the load ran', async () => {
    const sampler = new ApiSampler(base, 60_000);
    await sampler.scrape();
    expect(sampler.utilisation().mean).toBeNull();
    sampler.start();
    sampler.markLoadEnded();
    await sleep(5);
    await sampler.stop();
    expect(sampler.points.length).toBe(2);
    expect(sampler.utilisation()).toEqual({ mean: null, peak: null, peakWaiting: 0 });
  });
});
