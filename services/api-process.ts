/**
 * Starts the target in a child process. The embedded engine is a busy
 * single-threaded load generator; in the same process its work would delay the
 * target's event loop, and the target's own Server-Timing figures (which
 * `db_query_duration` and `cache_op_duration` come from) would include the load
 * generator's CPU time. A process of its own keeps the system under test apart
 * from the load, as a real deployment is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AcgsError, type Config, type ErrorKind } from '../config/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A target running in a child process. */
export interface ApiProcess {
  url: string;
  pid: number;
  /** SIGTERM, then waits for the process to end (SIGKILL after `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

/** Spawns the API's process (bin/api-child.js: compiled api/child.ts) and waits for its URL (or its error, as an AcgsError). */
export async function startApiProcess(o: {
  config: Readonly<Config>;
  databaseUrl: string;
  redisUrl: string;
  startTimeoutMs?: number;
}): Promise<ApiProcess> {
  // A process group of its own: Ctrl-C in a terminal reaches the whole foreground group,
  // and the API must keep serving while the run stops its load gracefully.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'api-child.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  });
  // Whatever way this process ends (a second Ctrl-C exits at once), the API ends with it.
  const killAtExit = () => child.kill('SIGKILL');
  process.once('exit', killAtExit);
  child.once('exit', () => process.off('exit', killAtExit));
  child.stdin!.end(JSON.stringify({ config: o.config, databaseUrl: o.databaseUrl, redisUrl: o.redisUrl }));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let line: string;
  try {
    line = await firstLine(child, o.startTimeoutMs ?? 120_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const msg = JSON.parse(line) as { url?: string; error?: string; kind?: ErrorKind; hint?: string; details?: string[] };
  if (!msg.url) {
    await exited;
    throw new AcgsError(msg.kind ?? 'TARGET_UNREACHABLE', `the target did not start: ${msg.error}`, {
      hint: msg.hint,
      details: msg.details,
    });
  }
  return {
    url: msg.url,
    pid: child.pid!,
    async close(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(
      () =>
        reject(
          new AcgsError('TARGET_UNREACHABLE', `the target did not start within ${timeoutMs / 1000} s`, {
            hint: 'check that PostgreSQL and Redis answer; `acgs-load target` shows the error',
          }),
        ),
      timeoutMs,
    );
    rl.once('line', (l) => {
      clearTimeout(timer);
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new AcgsError('TARGET_UNREACHABLE', `the target process ended (exit code ${code}) before it served`, {
          hint: '`acgs-load target` shows the error',
        }),
      );
    });
  });
}
