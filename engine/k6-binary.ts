/**
 * Running the real k6 binary with the same options. The script is bundled
 * first (k6 cannot run TypeScript imports of our helpers), and the summary is
 * read back from a temporary --summary-export file so both engines return
 * the same K6RunResult.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { bundleScript } from './bundle.ts';
import type { K6RunOptions, K6RunResult } from './types.ts';
import type { SummaryData } from './summary/index.ts';

/** The k6 binary to use: $K6_BINARY, else `k6` on PATH, else null. */
export function findK6Binary(): string | null {
  const explicit = process.env.K6_BINARY;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'k6');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** The `k6 run` arguments for the options (the flags acgs-load k6 run takes). */
export function k6Args(bundle: string, opts: K6RunOptions, summaryFile: string): string[] {
  const a = ['run'];
  for (const [k, v] of Object.entries(opts.env ?? {})) a.push('-e', `${k}=${v}`);
  if (opts.vus !== undefined) a.push('--vus', String(opts.vus));
  if (opts.duration !== undefined) a.push('--duration', opts.duration);
  if (opts.iterations !== undefined) a.push('--iterations', String(opts.iterations));
  a.push('--summary-export', summaryFile);
  for (const o of opts.out ?? []) a.push('--out', o);
  if (opts.consoleOutput) a.push('--console-output', opts.consoleOutput);
  if (opts.summaryTrendStats) a.push('--summary-trend-stats', opts.summaryTrendStats.join(','));
  if (opts.noThresholds) a.push('--no-thresholds');
  if (opts.quiet || opts.progress === 'none') a.push('--quiet');
  a.push(bundle);
  return a;
}

/** Runs real k6 and returns its exit code, with the summary export as the summary data. */
export async function runK6Binary(bin: string, opts: K6RunOptions): Promise<K6RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-k6-'));
  try {
    const bundle = await bundleScript(opts.script, join(dir, 'script.js'));
    const summaryFile = join(dir, 'summary.json');
    const stdout = opts.stdout ?? process.stdout;
    const stderr = opts.stderr ?? process.stderr;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, k6Args(bundle, opts, summaryFile), { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.on('data', (d) => stdout.write(d));
      child.stderr.on('data', (d) => stderr.write(d));
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? 1));
      // k6 stops gracefully on SIGINT (teardown, summary, exit code 105), as from a terminal.
      opts.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    });
    let summary: SummaryData | null = null;
    try {
      summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as SummaryData;
    } catch {
      summary = null; // k6 writes no export when the test never started
    }
    if (opts.summaryExport && summary) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(opts.summaryExport, JSON.stringify(summary, null, 4) + '\n');
    }
    return { exitCode: code, summary, engine: 'k6', engineLimited: false };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
