/**
 * `acgs-load k6 run SCRIPT [flags]`: runs a k6 script with real k6 when it is
 * installed, else with the embedded engine (`--engine` chooses), and ends the
 * process with k6's exit code (99 thresholds crossed, 104 invalid config,
 * 107 script error, 108 test.abort(), ...). The flags are k6's (k6-flags.ts);
 * options the embedded engine does not know go to real k6 untouched.
 */
import { Command, Option } from 'commander';
import { summaryOf } from './index.ts';
import { existsSync, statSync } from 'node:fs';
import { AcgsError } from '../../config/index.ts';
import { runK6, type EngineChoice } from '../../engine/index.ts';
import { addK6Flags, readK6Flags } from './k6-flags.ts';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new AcgsError('BAD_FLAG', `${flag} '${v}' is not a positive integer`, { hint: `e.g. ${flag} 10` });
    return n;
  };
}

function envPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0)
      throw new AcgsError('BAD_FLAG', `-e '${p}' is not KEY=VALUE`, { hint: 'e.g. -e BASE_URL=http://127.0.0.1:8080' });
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}

interface RunFlags {
  env: string[];
  vus?: number;
  duration?: string;
  iterations?: number;
  summaryExport?: string;
  out: string[];
  consoleOutput?: string;
  summaryTrendStats?: string;
  thresholds?: boolean;
  quiet?: boolean;
  engine: EngineChoice;
}

/**
 * The script among the operands: commander puts unknown options (and the
 * words after them) beside it, so it is the last operand naming a file, or
 * else the last one (reported as missing). The rest is for real k6.
 */
function splitOperands(args: string[]): { script: string; passThrough: string[] } {
  const isFile = (a: string) => !a.startsWith('-') && existsSync(a) && statSync(a).isFile();
  let i = args.findLastIndex(isFile);
  if (i < 0) i = args.findLastIndex((a) => !a.startsWith('-'));
  if (i < 0) throw new AcgsError('BAD_FLAG', 'no script was given', { hint: 'acgs-load k6 run [flags] SCRIPT.js' });
  return { script: args[i], passThrough: [...args.slice(0, i), ...args.slice(i + 1)] };
}

export function register(program: Command): void {
  const k6 = program.command('k6').description(summaryOf('k6'));
  const run = k6
    .command('run')
    .description("run a k6 script (.js or .ts) with k6's flags; exits with k6's exit code")
    .argument('<script...>', 'k6 script, JavaScript or TypeScript (options real k6 knows and we do not go to k6)')
    .allowUnknownOption()
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (__ENV), repeatable', collect, [])
    .option('-u, --vus <n>', 'number of VUs', positiveInt('--vus'))
    .option('-d, --duration <duration>', 'test duration, e.g. 30s, 1m30s')
    .option('-i, --iterations <n>', 'total iterations shared by the VUs', positiveInt('--iterations'))
    .option('--summary-export <file>', 'write the end-of-test summary JSON (k6 legacy format)')
    .option('-o, --out <output>', 'metrics output, json=FILE (NDJSON; FILE.gz is gzipped), repeatable', collect, [])
    .option('--console-output <file>', "write the script's console output to this file")
    .option('--summary-trend-stats <stats>', 'trend columns of the summary, e.g. avg,p(95),p(99.9)')
    .option('--no-thresholds', 'do not evaluate thresholds')
    .addOption(new Option('--thresholds').hideHelp())
    .option('-q, --quiet', 'no banner and no progress line')
    .addOption(
      new Option('--engine <engine>', 'which engine runs the script')
        .choices(['auto', 'k6', 'embedded'])
        .default('auto'),
    );
  addK6Flags(run).action(async (args: string[], f: RunFlags & Record<string, unknown>) => {
    const { script, passThrough } = splitOperands(args);
    if (!existsSync(script))
      throw new AcgsError('BAD_FLAG', `script '${script}' does not exist`, {
        hint: 'give the path of a .js or .ts k6 script',
      });
    const flags = readK6Flags(f, passThrough);
    const result = await runK6(
      {
        script,
        env: envPairs(f.env),
        vus: f.vus,
        duration: f.duration,
        iterations: f.iterations,
        summaryExport: f.summaryExport,
        out: f.out,
        consoleOutput: f.consoleOutput,
        summaryTrendStats: f.summaryTrendStats ? f.summaryTrendStats.split(',').map((s) => s.trim()) : undefined,
        noThresholds: f.thresholds === undefined ? undefined : !f.thresholds,
        quiet: f.quiet,
        flags,
      },
      f.engine,
    );
    process.exitCode = result.exitCode;
  });
}
