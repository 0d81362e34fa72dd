/**
 * The commit a run is made from, for run.json's environment.git (read by
 * `acgs-load history`): `git rev-parse HEAD` in the suite's own checkout (the
 * reference API ships in it, so its commit is the build under test), with
 * `git status --porcelain` saying whether files were changed; else CI's
 * GITHUB_SHA; else null. Read once per run; a machine without git, or an
 * installed copy that is no checkout, gives null and says so.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Where this checkout's files are (run/ is one level below its root). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function git(args: string[]): string | null {
  try {
    return execFileSync('git', ['-C', ROOT, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

/** The commit, whether the working tree differed from it, and which source said so. */
export function gitCommit(env: NodeJS.ProcessEnv = process.env): {
  commit: string | null;
  dirty: boolean | null;
  source: string;
} {
  const head = git(['rev-parse', 'HEAD']);
  if (head && /^[0-9a-f]{40}$/.test(head)) {
    const status = git(['status', '--porcelain', '--untracked-files=no']);
    return { commit: head, dirty: status === null ? null : status.length > 0, source: 'git rev-parse HEAD' };
  }
  const sha = env.GITHUB_SHA;
  if (sha && /^[0-9a-f]{40}$/.test(sha)) return { commit: sha, dirty: null, source: 'GITHUB_SHA' };
  return { commit: null, dirty: null, source: 'not recorded: no git checkout and no GITHUB_SHA' };
}
