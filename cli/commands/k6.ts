/**
 * `acgs-load k6 run SCRIPT [flags]`: runs a k6 script with real k6 when it is
 * installed, else with the embedded engine (`--engine` chooses), and ends the
 * process with k6's exit code (99 thresholds crossed, 104 invalid config,
 * 107 script error, 108 test.abort(), ...).
 */
import { Command, Option } from 'commander';
import { summaryOf } from './index.ts';
import { existsSync } from 'node:fs';
import { AcgsError } from '../../config/index.ts';
import { runK6, type EngineChoice } from '../../engine/index.ts';

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
  thresholds: boolean;
  quiet?: boolean;
  engine: EngineChoice;
}

export function register(program: Command): void {
  const k6 = program.command('k6').description(summaryOf('k6'));
  k6.command('run')
    .description("run a k6 script (.js or .ts); exits with k6's exit code")
    .argument('<script>', 'k6 script, JavaScript or TypeScript')
    .option('-e, --env <KEY=VALUE>', 'environment variable for the script (__ENV), repeatable', collect, [])
    .option('-u, --vus <n>', 'number of VUs', positiveInt('--vus'))
    .option('-d, --duration <duration>', 'test duration, e.g. 30s, 1m30s')
    .option('-i, --iterations <n>', 'total iterations shared by the VUs', positiveInt('--iterations'))
    .option('--summary-export <file>', 'write the end-of-test summary JSON (k6 legacy format)')
    .option('-o, --out <output>', 'metrics output, json=FILE (NDJSON), repeatable', collect, [])
    .option('--console-output <file>', "write the script's console output to this file")
    .option('--summary-trend-stats <stats>', 'trend columns of the summary, e.g. avg,p(95),p(99.9)')
    .option('--no-thresholds', 'do not evaluate thresholds')
    .option('-q, --quiet', 'no banner and no progress line')
    .addOption(
      new Option('--engine <engine>', 'which engine runs the script')
        .choices(['auto', 'k6', 'embedded'])
        .default('auto'),
    )
    .action(async (script: string, f: RunFlags) => {
      if (!existsSync(script))
        throw new AcgsError('BAD_FLAG', `script '${script}' does not exist`, {
          hint: 'give the path of a .js or .ts k6 script',
        });
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
          noThresholds: f.thresholds === false,
          quiet: f.quiet,
        },
        f.engine,
      );
      process.exitCode = result.exitCode;
    });
}
