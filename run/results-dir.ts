/**
 * results/<run-id>/ and the results/latest link. A run id sorts by time and is
 * unique on one machine: 20261127T210000Z-ab12.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';

export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export interface ResultsDir {
  runId: string;
  path: string;
  file(name: string): string;
  write(name: string, content: string): string;
}

export function createResultsDir(root: string, runId: string): ResultsDir {
  const path = resolve(root, runId);
  mkdirSync(path, { recursive: true });
  return {
    runId,
    path,
    file: (name) => join(path, name),
    write(name, content) {
      const f = join(path, name);
      writeFileSync(f, content);
      return f;
    },
  };
}

/** Points results/latest at this run (a relative symlink, replaced atomically enough for one writer). */
export function linkLatest(root: string, runId: string): void {
  const link = resolve(root, 'latest');
  try {
    if (lstatSync(link)) rmSync(link, { force: true, recursive: false });
  } catch {
    // no previous link
  }
  symlinkSync(runId, link);
}
