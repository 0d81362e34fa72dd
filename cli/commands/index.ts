/**
 * Every command of the tree, in help order, with its one-line summary. A
 * command's module (which imports what its action needs: the pipeline, the
 * engine, the API...) is loaded only when that command runs or shows its own
 * help, so `acgs-load --help` starts in a blink. A new command: add its file
 * in this folder exporting `register(program: Command): void`, describe it
 * with `summaryOf(name)`, and list it here.
 */
import type { Command } from 'commander';

export interface CommandEntry {
  name: string;
  aliases?: string[];
  summary: string;
  load(): Promise<{ register(program: Command): void }>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'seed, start the API, run the scenarios, check consistency and write results/<run-id>/',
    load: () => import('./run.ts'),
  },
  { name: 'config', summary: 'show the configuration a command would use', load: () => import('./config.ts') },
  {
    name: 'api',
    aliases: ['target'],
    summary: 'start the reference governance API (the system under test) and serve until Ctrl-C',
    load: () => import('./api.ts'),
  },
  {
    name: 'seed',
    summary: 'load the deterministic governance dataset into PostgreSQL (skipped when already loaded) and warm Redis',
    load: () => import('./seed.ts'),
  },
  { name: 'db', summary: "schema migrations of the suite's database", load: () => import('./db.ts') },
  {
    name: 'warm',
    summary: 'write the hot entities into Redis (docs/cache-keys.md), each key with its TTL policy',
    load: () => import('./warm.ts'),
  },
  { name: 'scenario', summary: 'list or run one k6 scenario of scenarios/', load: () => import('./scenario.ts') },
  {
    name: 'k6',
    summary: 'run k6 scripts (real k6 when installed, else the embedded engine)',
    load: () => import('./k6.ts'),
  },
  {
    name: 'check',
    summary:
      'run the consistency checkers on PostgreSQL and Redis (exit code 3 when a violation remains after the grace period)',
    load: () => import('./check.ts'),
  },
  {
    name: 'report',
    summary: 'regenerate report.md and report.html from a results folder (and merge several k6 instances of one run)',
    load: () => import('./report.ts'),
  },
  {
    name: 'compare',
    summary:
      'compare a run with an earlier run (compare OLD NEW) or a baseline (compare RUN --baseline FILE); exit code 7 on regression',
    load: () => import('./compare.ts'),
  },
  {
    name: 'history',
    summary: 'every judged figure across runs, with change points found by E-divisive means (--html for charts)',
    load: () => import('./history.ts'),
  },
  {
    name: 'baseline',
    summary: 'baselines: figure spreads over repeated runs, for compare --baseline',
    load: () => import('./baseline.ts'),
  },
];

/** The summary of a command, for its own registration (one text, shown in both helps). */
export function summaryOf(name: string): string {
  const c = COMMANDS.find((x) => x.name === name);
  if (!c) throw new Error(`no command '${name}' in cli/commands/index.ts`);
  return c.summary;
}

/**
 * Registers the command `argv` names in full (its options and action) and the
 * others as name and summary only, which is all the top-level help shows.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const args = argv.slice(2);
  const first = args.find((a) => !a.startsWith('-'));
  const wanted = first === 'help' ? args[args.indexOf('help') + 1] : first;
  for (const c of COMMANDS) {
    if (wanted !== undefined && (c.name === wanted || c.aliases?.includes(wanted))) {
      (await c.load()).register(program);
    } else {
      const stub = program.command(c.name).description(c.summary);
      for (const a of c.aliases ?? []) stub.alias(a);
    }
  }
}
