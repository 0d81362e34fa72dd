/**
 * The `acgs-load` command tree. Each command lives in cli/commands/<name>.ts and
 * exports `register(program)`. This file is the only place that turns errors
 * into exit codes: an AcgsError prints its one-line message and hint (no
 * stack); anything else is a bug and prints its stack with exit code 1.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.ts';

/** The version in package.json, read once at start. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** The command tree for `argv` (only the command it names is loaded in full). */
export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
  const program = new Command();
  program
    .name('acgs-load')
    .description('Load testing and validation suite for the ACGS governance data tier (PostgreSQL + Redis)')
    .version(packageVersion(), '-V, --version', 'the version of acgs-load')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  await registerCommands(program, argv);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    return reportError(e);
  }
}

/**
 * Prints an error for a person and returns the exit code. The catalogue is
 * loaded here, not at start: the configuration's schema (zod) would cost
 * every `--help` a third of a second.
 */
export async function reportError(e: unknown): Promise<number> {
  // --help and --version end here too, with exit code 0 (and must stay light);
  // for a usage error commander has printed its message: bad input, exit 2.
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
  const { ExitCode, isAcgsError } = await import('../config/index.ts');
  if (isAcgsError(e)) {
    process.stderr.write(e.format() + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`internal error (a bug in acgs-load, please report it): ${err?.stack ?? String(e)}\n`);
  return ExitCode.INTERNAL;
}

const invokedDirectly = process.argv[1] && /acgs-load(\.js)?$|cli\/main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv).then((code) => process.exit(code));
}
