/**
 * Temporary folders for tests and benchmarks that remove themselves. Under
 * vitest each is removed after the test file that made it (afterAll of the
 * file: worker processes may be ended without an 'exit' event); elsewhere
 * (benchmarks) when the process exits. No run leaves folders in the temp
 * directory (test/global-setup.ts checks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();
const removeAll = () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
  made.clear();
};

if (process.env.VITEST) {
  const { afterAll } = await import('vitest');
  afterAll(removeAll); // registered on the importing test file's root suite
}
process.once('exit', removeAll);

/** A new folder under the system temp directory, named `<prefix>XXXXXX`, removed when the test file (or process) ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}
