/**
 * The `acgs-load` command tree. Each command lives in cli/commands/<name>.ts and
 * exports `register(program)`. This file is the only place that turns errors
 * into exit codes: an AcgsError prints its one-line message and hint (no
 * stack); anything else is a bug and prints its stack with exit code 1.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { AcgsError, ExitCode, isAcgsError } from '../config/index.ts';
import { commands } from './commands/index.ts';

/** The version in package.json, read once at start. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('acgs-load')
    .description('Load testing and validation suite for the ACGS governance data tier (PostgreSQL + Redis)')
    .version(packageVersion(), '-V, --version', 'the version of acgs-load')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  for (const register of commands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (e) {
    return reportError(e);
  }
}

/** Prints an error for a person and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    if (e.exitCode === 0) return ExitCode.OK;
    return ExitCode.BAD_INPUT; // commander has already printed its message
  }
  if (isAcgsError(e)) {
    process.stderr.write(e.format() + '\n');
    return e.exitCode;
  }
  const err = e as Error;
  process.stderr.write(`internal error (a bug in acgs-load, please report it): ${err?.stack ?? String(e)}\n`);
  return ExitCode.INTERNAL;
}

export { AcgsError };

const invokedDirectly = process.argv[1] && /acgs-load(\.js)?$|cli\/main\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv).then((code) => process.exit(code));
}
