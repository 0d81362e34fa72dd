import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import type { FaultResult } from '../../faults/index.ts';
import { formatValue, type Figure } from '../figure.ts';
import { ladderSteps, writeFixtureRun } from '../../test/helpers/ndjson-fixtures.ts';
import type { RunJson } from '../run-json.ts';
import { clock, TIME_STEPS } from './axes.ts';
import { htmlReport, readRunSeries, type RunSeries } from './index.ts';
import { launchChromium, SKIP_BROWSER } from '../../test/helpers/browser.ts';

const tmp = mkdtempSync(join(tmpdir(), 'acgs-html-'));
const ARTIFACTS = resolve('test-artifacts');
const T0 = Date.parse('2026-11-27T21:00:00Z');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CHARTS = [
  'query-latency-all',
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
  'vus',
  'throughput',
  'errors-per-second',
  'request-latency',
  'hdr-distribution',
];

/** The charts with time on the x axis: each has the phases and fault windows shaded. */
const TIME_CHARTS = CHARTS.filter(
  (c) => !['ladder-throughput', 'ladder-latency', 'consistency', 'hdr-distribution'].includes(c),
);

/** The scenarios of the fixture: the ladder (0:00-0:20), then a query mix (0:21-1:01) that pauses 10 s at 0:36. */
const PAUSE = { fromS: 36, toS: 46 };
/** The faults: redis-stop 30 s after the scenarios started, for 5 s; pool-exhaust near the end, where its name must go left. */
const FAULTS = [
  { kind: 'redis-stop' as const, atSeconds: 30, durationSeconds: 5, failRate: 0.45 },
  { kind: 'pool-exhaust' as const, atSeconds: 55, durationSeconds: 4, failRate: 0.3 },
];
/** A p95 target near the simple queries' latency, so its line is inside the chart. */
const SIMPLE_P95_MS = 1;

/** The <figure> of one chart in the page. */
function chart(page: string, id: string): string {
  const at = page.indexOf(`data-chart="${id}"`);
  expect(at, id).toBeGreaterThan(0);
  return page.slice(page.lastIndexOf('<figure', at), page.indexOf('</figure>', at));
}

/** A chart's axis ticks: value (data-value), pixel position and label. */
function ticks(fig: string, axis: 'x' | 'y'): Array<{ v: number; px: number; label: string }> {
  const re = /<text class="tick (x|y)" data-value="([^"]+)" x="([^"]+)" y="([^"]+)"[^>]*>([^<]*)<\/text>/g;
  return [...fig.matchAll(re)]
    .filter((m) => m[1] === axis)
    .map((m) => ({ v: Number(m[2]), px: axis === 'x' ? Number(m[3]) : Number(m[4]) - 4, label: unescape(m[5]) }));
}

/** The axis as a function value -> pixel, from its first and last tick. */
function scaleOf(fig: string, axis: 'x' | 'y'): (v: number) => number {
  const t = ticks(fig, axis);
  const [a, b] = [t[0], t.at(-1)!];
  return (v) => a.px + ((v - a.v) / (b.v - a.v)) * (b.px - a.px);
}

/** Attributes of the first element of a kind with the given attribute value. */
function element(fig: string, tag: string, attr: string, value: string): Record<string, string> | null {
  const m = new RegExp(`<${tag}[^>]*${attr}="${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`).exec(fig);
  if (!m) return null;
  return Object.fromEntries([...m[0].matchAll(/([\w-]+)="([^"]*)"/g)].map((x) => [x[1], unescape(x[2])]));
}

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

let faults: FaultResult[];

beforeAll(async () => {
  const dir = join(tmp, 'run');
  const config = loadConfig({
    profile: 'smoke',
    env: {},
    flags: { targets: { queryTypes: { simple: { p95Ms: SIMPLE_P95_MS, p99Ms: 100 } } } },
  });
  run = await writeFixtureRun(
    dir,
    [
      { name: 'ladder', spec: { startMs: T0, seed: 11, steps: ladderSteps(5) } },
      {
        name: 'query-mix',
        spec: {
          startMs: T0 + 21_000,
          seed: 12,
          steps: [
            { tag: 'query-mix', startS: 0, durationS: PAUSE.fromS - 21, rps: 30, medianMs: 4, vus: 12 },
            { tag: 'query-mix', startS: PAUSE.toS - 21, durationS: 61 - PAUSE.toS, rps: 30, medianMs: 4, vus: 12 },
          ],
        },
      },
    ],
    { config, faults: FAULTS, judge: true },
  );
  faults = JSON.parse(readFileSync(join(dir, 'faults.json'), 'utf8')) as FaultResult[];
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

  it('draws VUs, requests per second and failures per second with one line per scenario', () => {
    for (const id of ['vus', 'throughput', 'errors-per-second']) {
      const fig = chart(html, id);
      const names = [...fig.matchAll(/<g class="series" data-series="([^"]+)"/g)].map((m) => m[1]);
      expect(names, id).toEqual(['ladder', 'query-mix']);
    }
    // The ladder's VU steps, as its stream reported them, are the line's values.
    const y = scaleOf(chart(html, 'vus'), 'y');
    const d = /data-series="ladder"><path d="([^"]+)"/.exec(chart(html, 'vus'))![1];
    const ys = [...d.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    for (const users of [10, 25, 50, 100])
      expect(
        ys.some((v) => Math.abs(v - y(users)) < 0.2),
        `${users} VUs`,
      ).toBe(true);
    // Failures peak inside the fault window.
    const qm = series.scenarios.find((x) => x.name === 'query-mix')!;
    const worst = qm.requests.reduce((a, p) => (p.errorsPerS > a.errorsPerS ? p : a));
    expect(
      faults.some((f) => worst.t >= f.startedAt! - 1000 && worst.t < f.endedAt!),
      `${worst.t - T0} ms`,
    ).toBe(true);
  });

  it('breaks a line where the samples stop for more than two intervals: M...L... M...L...', () => {
    for (const id of ['throughput', 'vus', 'errors-per-second']) {
      const fig = chart(html, id);
      const d = (name: string) => new RegExp(`data-series="${name}"><path d="([^"]+)"`).exec(fig)![1];
      // The query mix pauses for 10 s: two pieces, the first ending before the pause, the second starting after it.
      const pieces = d('query-mix').split('M').slice(1);
      expect(pieces, id).toHaveLength(2);
      expect(
        pieces.every((p) => p.includes('L')),
        id,
      ).toBe(true);
      const x = scaleOf(fig, 'x');
      const lastX = Number(/([\d.]+) [\d.]+$/.exec(pieces[0].replace(/h0$/, ''))![1]);
      const nextX = Number(/^([\d.]+)/.exec(pieces[1])![1]);
      expect(lastX, id).toBeLessThanOrEqual(x(PAUSE.fromS) + 0.5);
      expect(nextX, id).toBeGreaterThanOrEqual(x(PAUSE.toS) - 0.5);
      // The ladder ran without a pause: one piece.
      expect(d('ladder').match(/M/g), id).toHaveLength(1);
    }
  });

  it('ticks every time axis at a round step (10 s for this one-minute run), labelled m:ss', () => {
    for (const id of TIME_CHARTS) {
      const t = ticks(chart(html, id), 'x');
      expect(t.length, id).toBeGreaterThanOrEqual(3);
      const step = t[1].v - t[0].v;
      expect(TIME_STEPS, id).toContain(step);
      expect(step, id).toBe(10);
      for (const [i, tick] of t.entries()) {
        expect(tick.v % step, id).toBe(0);
        expect(tick.v, id).toBe(t[0].v + i * step);
        expect(tick.label, id).toMatch(/^\d+:\d{2}$/);
        expect(tick.label, id).toBe(clock(tick.v));
      }
      expect(t.map((x) => x.label).slice(0, 3), id).toEqual(['0:00', '0:10', '0:20']);
      // The y axis too: every tick a round value (1, 2, 2.5 or 5 × 10^k apart).
      const yt = ticks(chart(html, id), 'y');
      const ystep = yt[1].v - yt[0].v;
      const mant = Number((ystep / 10 ** Math.floor(Math.log10(ystep))).toPrecision(6));
      expect([1, 2, 2.5, 5], id).toContain(mant);
    }
    // Every time chart has the same x axis, so they line up.
    const first = ticks(chart(html, TIME_CHARTS[0]), 'x');
    for (const id of TIME_CHARTS) expect(ticks(chart(html, id), 'x'), id).toEqual(first);
  });

  it("draws a target line at the target's value, labelled, and names a target above the chart in the legend", () => {
    const fig = chart(html, 'query-latency-simple');
    const line = element(fig, 'g', 'data-target', 'target p95')!;
    expect(line, 'p95 target line').not.toBeNull();
    expect(Number(line['data-value'])).toBe(SIMPLE_P95_MS);
    const y1 = Number(/<g class="target" data-target="target p95"[^>]*><line [^>]*y1="([\d.]+)"/.exec(fig)![1]);
    expect(Math.abs(y1 - scaleOf(fig, 'y')(SIMPLE_P95_MS))).toBeLessThan(0.6);
    expect(fig).toContain(`>target p95 ${SIMPLE_P95_MS} ms</text>`);
    expect(fig).toMatch(/<line [^>]*stroke-dasharray="6 4"/);
    // The p99 target (100 ms) is far above every value: not drawn, named in the legend instead.
    expect(element(fig, 'g', 'data-target', 'target p99')).toBeNull();
    expect(fig).toMatch(
      /data-off-scale="target p99=100"[^>]*>.*target p99 above the chart: 100 ms \(highest value drawn [\d.]+ ms\)/,
    );
    // Each query type carries its own targets, from run.json's config.
    const targets = (run.config as { targets: { queryTypes: Record<string, { p95Ms: number }>; avgQueryMs: number } })
      .targets;
    for (const qt of ['join', 'aggregation', 'complex', 'index_scan'])
      expect(chart(html, `query-latency-${qt}`), qt).toContain(`p95 ${targets.queryTypes[qt].p95Ms} ms`);
    expect(chart(html, 'query-latency-all')).toContain(`target avg above the chart: ${targets.avgQueryMs} ms`);
    // The cache hit rate target, inside its 0-100 % axis.
    const cache = chart(html, 'cache-hit-rate');
    const hit = (run.config as { targets: { cacheHitRate: number } }).targets.cacheHitRate;
    const cy = Number(/<g class="target" data-target="target hit rate"[^>]*><line [^>]*y1="([\d.]+)"/.exec(cache)![1]);
    expect(Math.abs(cy - scaleOf(cache, 'y')(hit))).toBeLessThan(0.6);
    expect(cache).toContain(`>target hit rate ${hit * 100} %</text>`);
  });

  it('shades each scenario phase and each fault window on every time chart, where they happened', () => {
    const t0 = Math.min(...run.scenarios.map((s) => Date.parse(s.startedAt)));
    for (const id of TIME_CHARTS) {
      const fig = chart(html, id);
      const x = scaleOf(fig, 'x');
      for (const s of run.scenarios) {
        const r = element(fig, 'rect', 'data-phase', s.name);
        expect(r, `${id} ${s.name}`).not.toBeNull();
        const from = (Date.parse(s.startedAt) - t0) / 1000;
        expect(Math.abs(Number(r!.x) - x(from)), `${id} ${s.name} start`).toBeLessThan(0.6);
        expect(Math.abs(Number(r!.x) + Number(r!.width) - x(from + s.durationS)), `${id} ${s.name} end`).toBeLessThan(
          0.6,
        );
        expect(fig, `${id} ${s.name} label`).toMatch(new RegExp(`class="strip"[^>]*>${s.name}<title>`));
      }
      expect(faults.length).toBe(FAULTS.length);
      for (const f of faults) {
        const r = element(fig, 'rect', 'data-fault', f.label);
        expect(r, `${id} ${f.label}`).not.toBeNull();
        expect(Math.abs(Number(r!.x) - x((f.startedAt! - t0) / 1000)), `${id} fault start`).toBeLessThan(0.6);
        expect(Math.abs(Number(r!.x) + Number(r!.width) - x((f.endedAt! - t0) / 1000)), `${id} fault end`).toBeLessThan(
          0.6,
        );
        // Named in the strip: in full where there is room, else by its kind (the tooltip has the rest).
        expect(fig, id).toMatch(
          new RegExp(
            `data-fault="${f.label}"><rect [^>]*><title>[^<]*</title></rect><text [^>]*>(${f.label}|${f.kind})<title>`,
          ),
        );
      }
    }
    // Charts without time have none.
    for (const id of ['ladder-latency', 'hdr-distribution']) expect(chart(html, id)).not.toContain('data-phase=');
  });

  it('writes no raw float with more than 4 decimals anywhere, the reasons included', () => {
    // The pipeline writes a missed target's raw value into run.json's reasons.
    expect(
      run.reasons.some((r) => /\d\.\d{5,}/.test(r)),
      run.reasons.join('\n'),
    ).toBe(true);
    const long = [...html.matchAll(/\d+\.\d{5,}/g)].map((m) => html.slice(Math.max(0, m.index - 60), m.index + 30));
    expect(long).toEqual([]);
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    const reasons = [...header.matchAll(/<li class="reason">([^<]*)<\/li>/g)].map((m) => unescape(m[1]));
    expect(reasons).toHaveLength(run.reasons.length);
    // A missed ratio reads as the tables show it, with the target it missed.
    const ratio = run.figures.find(
      (f) => f.unit === 'ratio' && f.pass === false && !Number.isInteger((f.value ?? 0) * 1e4),
    );
    expect(ratio, 'a missed ratio with a long value').toBeDefined();
    expect(reasons).toContain(
      `target missed: ${ratio!.label} = ${formatValue(ratio!.value, 'ratio')}, target ≥ ${formatValue(ratio!.target!.value, 'ratio')} (${ratio!.source})`,
    );
  });

  it('opens in headless Chromium without console errors and draws every chart', async () => {
    if (SKIP_BROWSER) return;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
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
      // Labels do not run into each other or out of their chart: x tick labels, strip labels, target labels.
      const clashes = (await page.evaluate(`[...document.querySelectorAll('figure.chart svg.plot')].flatMap((svg) => {
        const id = svg.closest('figure').getAttribute('data-chart');
        const box = svg.getBoundingClientRect();
        const out = [];
        const groups = [svg.querySelectorAll('text.tick.x'), svg.querySelectorAll('text.strip'), svg.querySelectorAll('text.target-label')];
        for (const g of groups) {
          const r = [...g].map((t) => t.getBoundingClientRect());
          r.forEach((a, i) => {
            if (a.left < box.left - 1 || a.right > box.right + 1) out.push(id + ': label outside the chart');
            r.slice(i + 1).forEach((b) => {
              if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(id + ': labels overlap');
            });
          });
        }
        return out;
      })`)) as string[];
      expect(clashes).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'report-html.png'), fullPage: true });
      // The load charts at laptop size, for a person to look at.
      await page.addStyleTag({ content: 'nav.toc { position: static; }' });
      const load = await page.$('#t-scenarios .charts');
      await load?.screenshot({ path: join(ARTIFACTS, 'report-html-load.png') });
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
