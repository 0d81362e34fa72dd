/**
 * vitest globalSetup: after every test file has run, no folder that a test
 * made in the temp directory (`acgs-*`) is left behind. A test that keeps one
 * fails the run here, naming the folder (use test/helpers/temp.ts, or remove it
 * in afterAll).
 */
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function ours(since: number): string[] {
  return readdirSync(tmpdir())
    .filter((n) => /^acgs-.*[A-Za-z0-9]{6}$/.test(n)) // made by mkdtemp (prefix + 6 random characters)
    .map((n) => join(tmpdir(), n))
    .filter((p) => {
      try {
        return statSync(p).birthtimeMs >= since;
      } catch {
        return false; // removed meanwhile
      }
    });
}

export default function setup(): () => void {
  const started = Date.now();
  return () => {
    const left = ours(started);
    if (left.length) {
      // vitest reports an error thrown here without failing the run: set the exit code too
      process.exitCode = 1;
      throw new Error(`tests left ${left.length} temporary folder(s) behind: ${left.slice(0, 10).join(', ')}`);
    }
  };
}
