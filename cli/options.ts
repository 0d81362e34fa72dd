/**
 * Options several commands share, written once so they read the same
 * everywhere:
 *
 * - `-p, --profile NAME|FILE` has no commander default, so the configuration's
 *   own order holds: flag > ACGS_PROFILE > smoke (config/load.ts).
 * - Lists are comma-separated and the flag may repeat: `--scenario a,b` equals
 *   `--scenario a --scenario b` (as `--only a,b`).
 */
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
