import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatValue, type Figure } from '../figure.ts';
import { ladderSteps, writeFixtureRun } from '../../test/helpers/ndjson-fixtures.ts';
import type { RunJson } from '../run-json.ts';
import { htmlReport, readRunSeries, type RunSeries } from './index.ts';
import { launchChromium, SKIP_BROWSER } from '../../test/helpers/browser.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-html-'));
const ARTIFACTS = resolve('test-artifacts');
const T0 = Date.parse('2026-11-27T21:00:00Z');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHARTS = [
  'query-latency-aggregation',
  'query-latency-complex',
  'query-latency-index_scan',
  'query-latency-join',
  'query-latency-simple',
  'cache-hit-rate',
  'pool',
  'ladder-throughput',
  'ladder-latency',
  'consistency',
  'throughput',
  'request-latency',
  'hdr-distribution',
];

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

let run: RunJson;
let series: RunSeries;
let html: string;
let file: string;

beforeAll(async () => {
  const dir = join(tmp, 'run');
  run = await writeFixtureRun(dir, [
    { name: 'ladder', spec: { startMs: T0, seed: 11, steps: ladderSteps(5) } },
    {
      name: 'query-mix',
      spec: {
        startMs: T0 + 21_000,
        seed: 12,
        steps: [{ tag: 'query-mix', startS: 0, durationS: 40, rps: 30, medianMs: 4 }],
      },
    },
  ]);
  series = await readRunSeries(dir, run);
  html = htmlReport(run, series);
  mkdirSync(ARTIFACTS, { recursive: true });
  file = join(ARTIFACTS, 'report.html');
  writeFileSync(file, html);
});

describe('report.html', () => {
  it('shows every figure of every table exactly as run.json has it', () => {
    const byId = new Map(run.figures.map((f) => [f.id, f]));
    const cells = [...html.matchAll(/<td class="[^"]*" data-figure="([^"]+)" data-show="value"[^>]*>([^<]*)<\/td>/g)];
    const expected = run.tables
      .flatMap((t) => t.rows.flat())
      .filter((c) => typeof c !== 'string' && (c.show ?? 'value') === 'value');
    expect(cells.length).toBe(expected.length);
    let numeric = 0;
    for (const [, id, text] of cells) {
      const f = byId.get(unescape(id)) as Figure;
      expect(f, id).toBeDefined();
      expect(unescape(text)).toBe(formatValue(f.value, f.unit));
      // Parse the number back out of the cell and compare with run.json's value at the cell's precision.
      if (f.value !== null && f.unit !== 'bytes') {
        const n = Number(unescape(text).replace(/[^\d.\-]/g, ''));
        const shown = f.unit === 'ratio' ? n / 100 : n;
        expect(Math.abs(shown - f.value)).toBeLessThanOrEqual(
          Math.max(1e-9, Math.abs(f.value) * 0.01, f.unit === 'ratio' ? 1e-4 : 0.05),
        );
        numeric++;
      }
    }
    expect(numeric).toBeGreaterThan(40);
    for (const t of run.tables) expect(html).toContain(`<h2>${t.title.replace(/&/g, '&amp;')}</h2>`);
  });

  it('is self-contained: no external script, stylesheet, image or font', () => {
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src="http|url\(http|@import/i);
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|www\.w3\.org)/);
  });

  it('opens in headless Chromium without console errors and draws every chart', async () => {
    if (SKIP_BROWSER) return;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`);
      });
      await page.goto('file://' + file);
      // A string, so it runs in the page without the DOM types in this project's tsconfig.
      const drawn = (await page.evaluate(`[...document.querySelectorAll('figure.chart')].map((f) => {
        const svg = f.querySelector('svg.plot');
        const paths = [...(svg ? svg.querySelectorAll('g.series path') : [])].filter((p) => (p.getAttribute('d') || '').length > 10);
        const marks = svg ? svg.querySelectorAll('g.series circle, g.series rect').length : 0;
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        return { id: f.getAttribute('data-chart'), empty: f.getAttribute('data-empty'), paths: paths.length, marks, width: box.width, height: box.height };
      })`)) as Array<{ id: string; empty: string; paths: number; marks: number; width: number; height: number }>;
      expect(drawn.map((d) => d.id).sort()).toEqual([...CHARTS].sort());
      for (const d of drawn) {
        expect(d.empty, d.id!).toBe('false');
        expect(d.paths + d.marks, d.id!).toBeGreaterThan(0);
        expect(d.width, d.id!).toBeGreaterThan(300);
        expect(d.height, d.id!).toBeGreaterThan(40);
      }
      // Lines with many points really are lines: the query charts have one path per percentile.
      const qPaths = drawn.find((d) => d.id === 'query-latency-simple')!;
      expect(qPaths.paths).toBe(3);
      await page.screenshot({ path: join(ARTIFACTS, 'report-html.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('stays under 2 MB for a one-hour run', async () => {
    const dir = join(tmp, 'hour');
    const hour = await writeFixtureRun(dir, [
      {
        name: 'soak',
        spec: { startMs: T0, seed: 21, steps: [{ tag: 'soak', startS: 0, durationS: 3600, rps: 3, medianMs: 5 }] },
      },
    ]);
    const s = await readRunSeries(dir, hour);
    expect(s.totals.http_reqs).toBe(3 * 3600);
    for (const pts of Object.values(s.queryLatency)) expect(pts.length).toBeLessThanOrEqual(360);
    expect(s.throughput.length).toBeLessThanOrEqual(360);
    expect(s.pool.length).toBeLessThanOrEqual(360);
    const out = htmlReport(hour, s);
    const f = join(ARTIFACTS, 'report-one-hour.html');
    writeFileSync(f, out);
    const bytes = statSync(f).size;
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    expect(bytes).toBeGreaterThan(50 * 1024); // the hour's series are really in it
  });
});
