/**
 * A ladder step's throughput is measured: its requests over the time they
 * were sent in (the ladder's k6 stream), not over the configured step length.
 * Broken on purpose: a step whose users sent requests for 2 of its planned
 * 5 s reads its real rate, where dividing by the plan read 40 % of it.
 */
import { describe, expect, it } from 'vitest';
import { writeFixtureRun } from '../../test/helpers/ndjson-fixtures.ts';
import { tempDir } from '../../test/helpers/temp.ts';

const T0 = Date.parse('2026-12-01T12:00:00Z');

describe('ladder throughput', () => {
  it('broken on purpose: a step cut short reads the rate it ran at, with the measured window in its source', async () => {
    // The smoke profile's ladder: 5 s steps. users_25 sends 50 req/s for 2 s only.
    const run = await writeFixtureRun(tempDir('acgs-ladder-window-'), [
      {
        name: 'ladder',
        spec: {
          startMs: T0,
          seed: 5,
          steps: [
            { tag: 'users_10', startS: 0, durationS: 5, rps: 20, medianMs: 3 },
            { tag: 'users_25', startS: 5, durationS: 2, rps: 50, medianMs: 4 },
          ],
        },
      },
    ]);
    const fig = (id: string) => run.figures.find((f) => f.id === id)!;
    expect(fig('ladder.25.requests').value).toBe(100);
    const rps = fig('ladder.25.rps');
    // (n − 1) ÷ (last − first): within a request slot of the 50 req/s sent, far from 100 ÷ 5 s = 20.
    expect(rps.value!).toBeGreaterThan(47);
    expect(rps.value!).toBeLessThan(53);
    expect(rps.source).toMatch(/\(requests − 1\) ÷ 1\.9\d s from the first to the last \(step planned at 5 s\)/);
    expect(fig('ladder.10.rps').value!).toBeGreaterThan(19);
    expect(fig('ladder.10.rps').value!).toBeLessThan(21);
    // A step without requests has no throughput, not 0 req/s.
    expect(fig('ladder.50.rps').value).toBeNull();
  });
});
