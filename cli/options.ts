/**
 * Options several commands share, written once so they read the same
 * everywhere:
 *
 * - `-p, --profile NAME|FILE` has no commander default, so the configuration's
 *   own order holds: flag > ACGS_PROFILE > smoke (config/load.ts).
 * - Lists are comma-separated and the flag may repeat: `--scenario a,b` equals
 *   `--scenario a --scenario b` (as `--only a,b`).
 */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';

/** The profile option; leaves the value undefined when not given. */
export function profileOption(): Option {
  return new Option(
    '-p, --profile <name>',
    'profile name or path to a profile JSON file (default: $ACGS_PROFILE, else smoke)',
  );
}

/** Parser of a list flag: comma-separated values, repeatable; empty items dropped. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ];
}

/** A list option (`--scenario a,b`, repeatable). */
export function listOption(flags: string, description: string): Option {
  return new Option(flags, `${description} (comma-separated or repeated)`).argParser(collectList);
}

/** `--json [file]`: the command's result as JSON, on stdout (the human output moves to stderr) or into FILE. */
export function jsonOption(what: string): Option {
  return new Option('--json [file]', `${what} as JSON: to FILE, or to stdout (then the human output goes to stderr)`);
}

/**
 * Where a command writes: `out` for its human output, `json(value)` for its
 * JSON result. With `--json` and no file, JSON owns stdout and people read
 * stderr, so CI can parse stdout whole.
 */
export function outputs(json: string | boolean | undefined): {
  out: (text: string) => void;
  json: (value: unknown) => void;
} {
  const toStdout = json === true;
  return {
    out: (text) => (toStdout ? process.stderr : process.stdout).write(text),
    json: (value) => {
      if (json === undefined || json === false) return;
      const text = JSON.stringify(value, null, 2) + '\n';
      if (toStdout) process.stdout.write(text);
      else writeFileSync(json, text);
    },
  };
}
