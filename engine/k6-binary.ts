/**
 * Running the real k6 binary with the same options. The script is bundled
 * first (k6 cannot run TypeScript imports of our helpers) into a hidden file
 * beside the script, so `open('./data.json')` resolves against the script's
 * folder as it does when k6 runs the script itself; the summary is read back
 * from a temporary --summary-export file so both engines return the same
 * K6RunResult. `K6_BINARY` chooses the binary.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, extname, join, resolve } from 'node:path';
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

/** The `k6 run` arguments for the options: our flags in k6's spelling, then the ones only k6 knows, untouched. */
export function k6Args(bundle: string, opts: K6RunOptions, summaryFile: string): string[] {
  const a = ['run'];
  const f = opts.flags ?? {};
  for (const [k, v] of Object.entries(opts.env ?? {})) a.push('-e', `${k}=${v}`);
  if (opts.vus !== undefined) a.push('--vus', String(opts.vus));
  if (opts.duration !== undefined) a.push('--duration', opts.duration);
  if (opts.iterations !== undefined) a.push('--iterations', String(opts.iterations));
  for (const s of f.stages ?? []) a.push('--stage', `${s.duration}:${s.target}`);
  for (const [k, v] of Object.entries(f.tags ?? {})) a.push('--tag', `${k}=${v}`);
  if (f.config) a.push('--config', f.config);
  a.push('--summary-export', summaryFile);
  for (const o of opts.out ?? []) a.push('--out', o);
  if (opts.consoleOutput) a.push('--console-output', opts.consoleOutput);
  if (opts.summaryTrendStats) a.push('--summary-trend-stats', opts.summaryTrendStats.join(','));
  if (f.summaryTimeUnit) a.push('--summary-time-unit', f.summaryTimeUnit);
  if (opts.noThresholds !== undefined) a.push(`--no-thresholds=${opts.noThresholds}`);
  if (opts.quiet || opts.progress === 'none') a.push('--quiet');
  const bools: Array<[keyof typeof f, string]> = [
    ['noSetup', 'no-setup'],
    ['noTeardown', 'no-teardown'],
    ['noSummary', 'no-summary'],
    ['throw', 'throw'],
    ['discardResponseBodies', 'discard-response-bodies'],
    ['insecureSkipTLSVerify', 'insecure-skip-tls-verify'],
    ['includeSystemEnvVars', 'include-system-env-vars'],
    ['noColor', 'no-color'],
    ['verbose', 'verbose'],
  ];
  for (const [key, flag] of bools) if (f[key] !== undefined) a.push(`--${flag}=${f[key]}`);
  if (f.rps !== undefined) a.push('--rps', String(f.rps));
  if (f.maxRedirects !== undefined) a.push('--max-redirects', String(f.maxRedirects));
  if (f.userAgent !== undefined) a.push('--user-agent', f.userAgent);
  if (f.httpDebug !== undefined) a.push(`--http-debug=${f.httpDebug}`);
  if (f.systemTags) a.push('--system-tags', f.systemTags.join(','));
  if (f.executionSegment) a.push('--execution-segment', f.executionSegment);
  if (f.executionSegmentSequence) a.push('--execution-segment-sequence', f.executionSegmentSequence);
  a.push(...(f.passThrough ?? []));
  a.push(bundle);
  return a;
}

/**
 * Where the bundle goes: beside the script (a hidden file), so relative
 * open() paths mean the same as for the script; in the temporary folder when
 * the script's folder is not writable.
 */
async function bundleBesideScript(script: string, dir: string): Promise<{ bundle: string; beside: boolean }> {
  const abs = resolve(script);
  const beside = join(dirname(abs), `.${basename(abs, extname(abs))}.acgs-k6-${process.pid}.js`);
  try {
    writeFileSync(beside, '');
  } catch {
    return { bundle: await bundleScript(script, join(dir, 'script.js')), beside: false };
  }
  try {
    return { bundle: await bundleScript(script, beside), beside: true };
  } catch (e) {
    rmSync(beside, { force: true });
    throw e;
  }
}

/** Runs real k6 and returns its exit code, with the summary export as the summary data. */
export async function runK6Binary(bin: string, opts: K6RunOptions): Promise<K6RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'acgs-k6-'));
  let bundle: string | null = null;
  const stderr = opts.stderr ?? process.stderr;
  try {
    const b = await bundleBesideScript(opts.script, dir);
    bundle = b.bundle;
    if (!b.beside)
      stderr.write(
        `warning: ${dirname(resolve(opts.script))} is not writable: the bundle runs from ${dir}, so open() paths relative to the script will not resolve\n`,
      );
    const summaryFile = join(dir, 'summary.json');
    const stdout = opts.stdout ?? process.stdout;
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, k6Args(bundle!, opts, summaryFile), { stdio: ['ignore', 'pipe', 'pipe'] });
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
      summary = null; // k6 writes no export when the test never started (or with --no-summary)
    }
    if (opts.summaryExport && summary) writeFileSync(opts.summaryExport, JSON.stringify(summary, null, 4) + '\n');
    return { exitCode: code, summary, engine: 'k6', engineLimited: false };
  } finally {
    if (bundle && dirname(bundle) !== dir) rmSync(bundle, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
