/**
 * The flags of `acgs-load k6 run` beyond the shortcuts, as k6 users type them
 * (k6 cmd/options.go `optionFlagSet`, cmd/runtime_options.go, cmd/root.go):
 * one table, their syntax checked here, their meaning in engine/options.ts.
 *
 * Booleans take pflag's forms: `--throw`, `--throw=true`, `--throw=false`;
 * `--http-debug` alone means `--http-debug=headers`, and `--http-debug=full`
 * adds bodies. A flag given here outranks the K6_* variable of the same option.
 */
import { Command, Option } from 'commander';
import { AcgsError } from '../../config/index.ts';
import { parseExecutionSegment, parseExecutionSegmentSequence, parseStage, type K6Flags } from '../../engine/index.ts';

type Bool = { flag: string; short?: string; key: keyof K6Flags; help: string; negated?: boolean };

/** Boolean flags; `negated` ones are spelled --no-X and mean X = false. */
const BOOLS: Bool[] = [
  { flag: 'no-setup', key: 'noSetup', negated: true, help: "don't run setup()" },
  { flag: 'no-teardown', key: 'noTeardown', negated: true, help: "don't run teardown()" },
  {
    flag: 'no-summary',
    key: 'noSummary',
    negated: true,
    help: 'no end-of-test summary, handleSummary() or --summary-export',
  },
  { flag: 'throw', short: 'w', key: 'throw', help: 'throw warnings (like failed http requests) as errors' },
  { flag: 'discard-response-bodies', key: 'discardResponseBodies', help: "read but don't keep HTTP response bodies" },
  { flag: 'insecure-skip-tls-verify', key: 'insecureSkipTLSVerify', help: 'skip verification of TLS certificates' },
  {
    flag: 'include-system-env-vars',
    key: 'includeSystemEnvVars',
    help: 'pass the real system environment variables to __ENV (default true; --include-system-env-vars=false for -e only)',
  },
  { flag: 'no-color', key: 'noColor', negated: true, help: 'no colours in the output' },
  { flag: 'verbose', short: 'v', key: 'verbose', help: 'verbose logging: debug lines and console.debug' },
];

/** The attribute commander stores a boolean under (the name without any no-). */
const attr = (b: Bool): string =>
  (b.negated ? b.flag.slice(3) : b.flag).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Adds the flags to `cmd` (the `k6 run` command). */
export function addK6Flags(cmd: Command): Command {
  const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').filter((s) => s !== '')];
  cmd
    .option(
      '-s, --stage <duration:target>',
      "add a stage, e.g. -s 30s:10 -s 1m:0 (repeatable; replaces the script's stages)",
      collect,
    )
    .option('--tag <name=value>', 'a tag on every sample, repeatable', collect)
    .option('-c, --config <file>', 'JSON config file of options (lowest precedence: below script, K6_* and flags)')
    .option('--summary-time-unit <unit>', "time unit of the summary's trend values: s, ms or us")
    .option('--rps <n>', 'limit requests per second across all VUs (0: no limit)')
    .option('--max-redirects <n>', 'follow at most n redirects (default 10)')
    .option('--user-agent <ua>', 'User-Agent header of requests ("" sends none)')
    .option('--http-debug <mode>', 'log every HTTP request and response: --http-debug (headers) or --http-debug=full')
    .option('--system-tags <tags>', 'only these system tags on samples, e.g. status,method,url,name')
    .option('--execution-segment <segment>', "this instance's share of the test, e.g. 1/4:1/2, 25%:50%, 0.5")
    .option('--execution-segment-sequence <points>', "all instances' segments, e.g. 0,1/4,1/2,1");
  for (const b of BOOLS) {
    cmd.option(`${b.short ? `-${b.short}, ` : ''}--${b.flag}`, b.help);
    // the other polarity, so --x=false (and --no-x=false) can override a K6_* variable
    const other = b.negated ? `--${b.flag.slice(3)}` : `--no-${b.flag}`;
    cmd.addOption(new Option(other).hideHelp());
  }
  // pflag's `--flag=value` forms of booleans and --http-debug's optional value
  const parseOptions = cmd.parseOptions.bind(cmd);
  cmd.parseOptions = (argv: string[]) => parseOptions(normaliseArgv(argv));
  return cmd;
}

/** Rewrites pflag spellings into the ones commander parses (only up to a `--`). */
export function normaliseArgv(argv: string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const a of argv) {
    if (rest || a === '--') {
      rest = true;
      out.push(a);
      continue;
    }
    if (a === '--http-debug') {
      out.push('--http-debug=headers');
      continue;
    }
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    const b = m && BOOLS.find((x) => x.flag === m[1]);
    if (!m || !b) {
      out.push(a);
      continue;
    }
    const v = m[2].toLowerCase();
    if (!['true', 'false', '1', '0', 't', 'f'].includes(v))
      throw new AcgsError('BAD_FLAG', `--${b.flag}=${m[2]} is not a boolean`, {
        hint: `--${b.flag}, --${b.flag}=true or --${b.flag}=false`,
      });
    const on = v === 'true' || v === '1' || v === 't';
    out.push(on ? `--${b.flag}` : b.negated ? `--${b.flag.slice(3)}` : `--no-${b.flag}`);
  }
  return out;
}

function int(flag: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(String(v)) || !Number.isSafeInteger(n))
    throw new AcgsError('BAD_FLAG', `${flag} '${String(v)}' is not a whole number >= 0`, { hint: `e.g. ${flag} 10` });
  return n;
}

/** Reads the parsed flags into K6Flags; syntax errors name the flag and the fix (exit 2). */
export function readK6Flags(f: Record<string, unknown>, passThrough: string[]): K6Flags {
  const out: K6Flags = { passThrough };
  for (const b of BOOLS) {
    const v = f[attr(b)] as boolean | undefined;
    if (v !== undefined) (out as Record<string, unknown>)[b.key] = b.negated ? !v : v;
  }
  if (f.stage) {
    out.stages = (f.stage as string[]).map((s, i) => {
      const st = parseStage(s);
      if (typeof st === 'string')
        throw new AcgsError('BAD_FLAG', `--stage ${i}: ${st}`, { hint: 'e.g. -s 30s:10 -s 1m:10 -s 30s:0' });
      return st;
    });
  }
  if (f.tag) {
    out.tags = {};
    for (const t of f.tag as string[]) {
      const i = t.indexOf('=');
      // k6 parseTagNameValue: an empty name or value is an error
      if (i <= 0 || i === t.length - 1)
        throw new AcgsError('BAD_FLAG', `--tag '${t}' is not NAME=VALUE with both parts non-empty`, {
          hint: 'e.g. --tag team=api --tag env=ci',
        });
      out.tags[t.slice(0, i)] = t.slice(i + 1);
    }
  }
  const unit = f.summaryTimeUnit as string | undefined;
  if (unit !== undefined && !['s', 'ms', 'us'].includes(unit))
    throw new AcgsError('BAD_FLAG', `--summary-time-unit '${unit}' is not a time unit`, {
      hint: "use 's', 'ms' or 'us'",
    });
  out.summaryTimeUnit = unit;
  out.rps = int('--rps', f.rps);
  out.maxRedirects = int('--max-redirects', f.maxRedirects);
  out.userAgent = f.userAgent as string | undefined;
  const dbg = f.httpDebug as string | undefined;
  if (dbg !== undefined && dbg !== 'headers' && dbg !== 'full')
    throw new AcgsError('BAD_FLAG', `--http-debug=${dbg} is not a debug mode`, {
      hint: '--http-debug logs headers, --http-debug=full also bodies',
    });
  out.httpDebug = dbg;
  if (f.systemTags !== undefined)
    out.systemTags = String(f.systemTags)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  out.config = f.config as string | undefined;
  for (const [flag, key, parse] of [
    ['--execution-segment', 'executionSegment', parseExecutionSegment],
    ['--execution-segment-sequence', 'executionSegmentSequence', parseExecutionSegmentSequence],
  ] as const) {
    const v = f[key] as string | undefined;
    if (v === undefined) continue;
    try {
      parse(v);
    } catch (e) {
      throw new AcgsError('BAD_FLAG', `${flag} '${v}': ${(e as Error).message}`, {
        hint: `${flag === '--execution-segment' ? 'e.g. --execution-segment 1/4:1/2 (from:to, 0 <= from < to <= 1)' : 'e.g. --execution-segment-sequence 0,1/4,1/2,1'}`,
      });
    }
    out[key] = v;
  }
  return out;
}
