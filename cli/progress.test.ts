/**
 * The progress printers of long work (cli/progress.ts): on a stream that is
 * not a terminal, at most one status line per 10 s plus a line per step
 * over; on a terminal one line rewritten in place. A fake clock drives them.
 */
import { describe, expect, it } from 'vitest';
import {
  checkDoneLine,
  checkProgressPrinter,
  checkStatusLine,
  seedProgressPrinter,
  seedStatusLine,
  seedTableLine,
  StatusPrinter,
  warmProgressPrinter,
  warmStatusLine,
  type ProgressStream,
} from './progress.ts';
import type { SeedProgressEvent } from '../seed/index.ts';

function stream(isTTY: boolean): ProgressStream & { text: string; lines(): string[] } {
  return {
    isTTY,
    columns: 200,
    text: '',
    write(t: string) {
      this.text += t;
      return true;
    },
    lines() {
      return this.text.split('\n').filter(Boolean);
    },
  };
}

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

const ev = (
  table: string,
  rows: number,
  totalRows: number,
  over: Partial<SeedProgressEvent> = {},
): SeedProgressEvent => ({
  table,
  rows,
  totalRows,
  rowsPerSec: 50_000,
  done: rows === totalRows,
  tablesDone: 0,
  tablesTotal: 17,
  ...over,
});

describe('line texts', () => {
  it('seed: a finished table, and the status of the tables loading', () => {
    expect(seedTableLine(ev('audit_log', 2_500_000, 2_500_000, { rowsPerSec: 251_234.6, tablesDone: 3 }))).toBe(
      'loaded audit_log             2,500,000 rows     251,235 rows/s  (3/17 tables)',
    );
    expect(
      seedStatusLine(
        [ev('audit_log', 1_000_000, 2_500_000), ev('policy_decisions', 250_000, 1_000_000, { rowsPerSec: 25_000 })],
        120_000,
        5,
        17,
        83_400,
      ),
    ).toBe(
      'seeding 1m23s: 5/17 tables, 1,370,000 rows | audit_log 1,000,000/2,500,000 (40%) 50,000 rows/s | policy_decisions 250,000/1,000,000 (25%) 25,000 rows/s',
    );
  });

  it('warm and check', () => {
    expect(warmStatusLine({ keys: 120_000, family: 'decision', done: false }, 12_000)).toBe(
      'warming 12s: 120,000 keys written (now decision), 10,000 keys/s',
    );
    expect(checkStatusLine({ checker: 'cache-db-sync+data-types', keys: 50_000, done: false }, 20_500)).toBe(
      'checking cache-db-sync+data-types 20s: 50,000 keys swept, 2,439 keys/s',
    );
    expect(checkStatusLine({ checker: 'referential-integrity', keys: 0, done: false }, 61_000)).toBe(
      'checking referential-integrity 1m1s',
    );
    expect(checkDoneLine({ checker: 'cache-db-sync+data-types', keys: 1_234_567, done: true }, 95_250)).toBe(
      'checked cache-db-sync+data-types: 1,234,567 keys in 95.3 s',
    );
    expect(checkDoneLine({ checker: 'concurrent-access', keys: 0, done: true }, 42)).toBe(
      'checked concurrent-access in 42 ms',
    );
  });
});

describe('StatusPrinter', () => {
  it('not a terminal: the first status one interval after the start, then at most one per interval', () => {
    const s = stream(false);
    const c = clock();
    const p = new StatusPrinter(s, { now: c.now });
    let built = 0;
    const status = (n: number) =>
      p.status(() => {
        built++;
        return `status ${n}`;
      });
    for (let t = 0; t <= 35_000; t += 250) {
      c.t = 1_000_000 + t;
      status(t);
    }
    expect(s.lines()).toEqual(['status 10000', 'status 20000', 'status 30000']);
    expect(built).toBe(3); // the text is built only when written
    p.line('a step is over');
    p.end();
    expect(s.text).not.toContain('\r');
    expect(s.lines().at(-1)).toBe('a step is over');
  });

  it('a terminal: one line rewritten in place, cleared before a line that stays and at the end', () => {
    const s = stream(true);
    const c = clock();
    const p = new StatusPrinter(s, { now: c.now });
    c.t += 150;
    p.status(() => 'one');
    c.t += 50;
    p.status(() => 'too soon');
    c.t += 100;
    p.status(() => 'two');
    p.line('done: a');
    p.end(); // nothing shown: nothing to clear
    expect(s.text).toBe('\r\x1b[2Kone\r\x1b[2Ktwo\r\x1b[2Kdone: a\n');
  });

  it('a terminal: the live line is cut to the width of the terminal', () => {
    const s = { ...stream(true), columns: 10 };
    const c = clock();
    const p = new StatusPrinter(s, { now: c.now });
    c.t += 1000;
    p.status(() => 'x'.repeat(50));
    expect(s.text).toBe('\r\x1b[2K' + 'x'.repeat(9));
  });
});

describe('the printers', () => {
  it('seed, not a terminal: a line per table loaded, and the status at most every 10 s', () => {
    const s = stream(false);
    const c = clock();
    const pr = seedProgressPrinter(s, { now: c.now });
    // 25 s of a large table reporting every 250 ms, a small one finishing at 1 s
    for (let t = 250; t <= 25_000; t += 250) {
      c.t = 1_000_000 + t;
      pr.onProgress(ev('audit_log', t * 100, 10_000_000));
      if (t === 1000) pr.onProgress(ev('static_config', 100, 100, { tablesDone: 1 }));
    }
    c.t += 250;
    pr.onProgress(ev('audit_log', 10_000_000, 10_000_000, { tablesDone: 2 }));
    pr.end();
    const lines = s.lines();
    expect(lines[0]).toMatch(/^loaded static_config +100 rows .* \(1\/17 tables\)$/);
    expect(lines.slice(1, 3)).toEqual([
      'seeding 10s: 1/17 tables, 1,000,100 rows | audit_log 1,000,000/10,000,000 (10%) 50,000 rows/s',
      'seeding 20s: 1/17 tables, 2,000,100 rows | audit_log 2,000,000/10,000,000 (20%) 50,000 rows/s',
    ]);
    expect(lines[3]).toMatch(/^loaded audit_log +10,000,000 rows .* \(2\/17 tables\)$/);
    expect(lines).toHaveLength(4);
  });

  it('warm, not a terminal: a status every 10 s, nothing at the end (the command prints the summary)', () => {
    const s = stream(false);
    const c = clock();
    const pr = warmProgressPrinter(s, { now: c.now });
    for (let t = 100; t <= 21_000; t += 100) {
      c.t = 1_000_000 + t;
      pr.onProgress({ keys: t * 5, family: t < 15_000 ? 'principle' : 'decision', done: false });
    }
    pr.onProgress({ keys: 105_000, family: 'decision', done: true });
    pr.end();
    expect(s.lines()).toEqual([
      'warming 10s: 50,000 keys written (now principle), 5,000 keys/s',
      'warming 20s: 100,000 keys written (now decision), 5,000 keys/s',
    ]);
  });

  it('check, not a terminal: the sweep every 10 s, a line per checker over, timed from its start', () => {
    const s = stream(false);
    const c = clock();
    const pr = checkProgressPrinter(s, { now: c.now });
    const sweep = 'cache-db-sync+data-types';
    pr.onProgress({ checker: sweep, keys: 0, done: false });
    for (let t = 500; t <= 12_000; t += 500) {
      c.t = 1_000_000 + t;
      pr.onProgress({ checker: sweep, keys: t * 10, done: false });
    }
    pr.onProgress({ checker: sweep, keys: 120_000, done: true });
    pr.onProgress({ checker: 'referential-integrity', keys: 0, done: false });
    c.t += 2_000;
    pr.onProgress({ checker: 'referential-integrity', keys: 0, done: true });
    pr.end();
    expect(s.lines()).toEqual([
      'checking cache-db-sync+data-types 10s: 100,000 keys swept, 10,000 keys/s',
      'checked cache-db-sync+data-types: 120,000 keys in 12.0 s',
      'checked referential-integrity in 2.0 s',
    ]);
  });

  it('seed, not a terminal: the steps after the load, a status at most every 10 s and a line each', () => {
    const s = stream(false);
    const c = clock();
    const pr = seedProgressPrinter(s, { now: c.now });
    c.t += 3_000;
    pr.onStep({ step: 'keys and indexes', done: 0, total: 40 });
    for (let i = 1; i <= 40; i++) {
      c.t += 500;
      pr.onStep({ step: 'keys and indexes', done: i, total: 40 });
    }
    pr.onStep({ step: 'analyze', done: 0, total: 17 });
    for (let i = 1; i <= 17; i++) {
      c.t += 100;
      pr.onStep({ step: 'analyze', done: i, total: 17 });
    }
    pr.end();
    expect(s.lines()).toEqual([
      'seeding 10s: keys and indexes 14/40',
      'seeding 20s: keys and indexes 34/40',
      'built keys and indexes: 40 statements in 20.0 s',
      'analyzed 17 tables in 1.7 s',
    ]);
  });

  it('seed, a terminal: the live line is rewritten and gives way to the table lines', () => {
    const s = stream(true);
    const c = clock();
    const pr = seedProgressPrinter(s, { now: c.now });
    c.t += 250;
    pr.onProgress(ev('audit_log', 500, 1000));
    c.t += 250;
    pr.onProgress(ev('audit_log', 1000, 1000, { tablesDone: 1 }));
    pr.end();
    expect(s.text).toBe(
      '\r\x1b[2Kseeding 0s: 0/17 tables, 500 rows | audit_log 500/1,000 (50%) 50,000 rows/s' +
        '\r\x1b[2Kloaded audit_log                 1,000 rows      50,000 rows/s  (1/17 tables)\n',
    );
  });
});
