/**
 * Throw-away PostgreSQL and Redis servers started from local binaries in a
 * temporary folder on a free port, for machines without running servers.
 * Each `stop()` ends the server and deletes its folder; an exit hook does the
 * same if a command ends without calling it.
 *
 * initdb refuses to run as root, so when uid is 0 the PostgreSQL binaries run
 * as the `postgres` system user through `runuser -u postgres --` (util-linux)
 * and the data folder is handed to that user.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';

/** A free TCP port on 127.0.0.1 (asked from the kernel). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The path of `name` on PATH or in `extraDirs`, or null. */
export function findBinary(name: string, extraDirs: string[] = []): string | null {
  for (const dir of [...extraDirs, ...(process.env.PATH ?? '').split(delimiter)]) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Folders holding PostgreSQL server binaries, newest major version first. */
export function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  const dirs = existsSync(root)
    ? readdirSync(root)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin'))
    : [];
  return [...dirs, '/usr/local/pgsql/bin'];
}

const cleanups = new Set<() => void>();
let hooked = false;
function onExit(fn: () => void): () => void {
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const f of cleanups)
        try {
          f();
        } catch {
          /* best effort at exit */
        }
    });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

/** `setsid` (util-linux) when present: a server started through it is in a session of its own. */
const SETSID = findBinary('setsid');

function run(cmd: string, args: string[], opts: { ownSession?: boolean } = {}): void {
  let [c, a] = asPostgresUser(cmd, args);
  // Ctrl-C in a terminal reaches the whole foreground process group; a server the run
  // owns must keep running while the run stops its load gracefully, then stop() ends it.
  if (opts.ownSession && SETSID) [c, a] = [SETSID, [c, ...a]];
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args[0] ?? ''} failed: ${(r.stderr || r.stdout || r.error?.message || '').trim().split('\n').slice(-3).join(' ')}`,
    );
}

/** Starts a throw-away PostgreSQL (trust auth, user postgres); `url` names its `postgres` database. */
export async function startThrowawayPostgres(): Promise<{
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}> {
  const dirs = postgresBinDirs();
  const initdb = findBinary('initdb', dirs);
  const pgCtl = findBinary('pg_ctl', dirs);
  if (!initdb || !pgCtl) throw new Error(`no initdb/pg_ctl in ${dirs.join(', ')} or PATH`);
  const dataDir = mkdtempSync(join(tmpdir(), 'acgs-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dataDir, uid, gid);
  }
  const port = await freePort();
  const ctl = (action: string) =>
    run(
      pgCtl,
      [
        '-D',
        dataDir,
        '-l',
        join(dataDir, 'server.log'),
        '-w',
        '-t',
        '60',
        '-m',
        'fast',
        '-o',
        `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top`,
        action,
      ],
      { ownSession: action !== 'stop' },
    );
  try {
    run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    ctl('start');
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  let stopped = false;
  const unhook = onExit(() => {
    if (!stopped) spawnSync(...asPostgresUser(pgCtl, ['-D', dataDir, '-m', 'immediate', 'stop']));
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        ctl('stop');
      } finally {
        unhook();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    async restart() {
      ctl('restart');
    },
  };
}

async function waitForRedis(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const r = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port} within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      r.disconnect();
    }
  }
}

/** Starts a throw-away Redis (no persistence) on `port` or a free one. */
export async function startThrowawayRedis(
  port?: number,
): Promise<{ url: string; stop(): Promise<void>; restart(): Promise<void> }> {
  const bin = findBinary('redis-server', ['/usr/bin', '/usr/local/bin']);
  if (!bin) throw new Error('no redis-server on PATH');
  const p = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'acgs-redis-'));
  let child: ChildProcess | null = null;
  const launch = async () => {
    const c = spawn(
      bin,
      [
        '--port',
        String(p),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: 'ignore', detached: true }, // its own process group: a terminal's Ctrl-C is the run's to handle
    );
    child = c;
    await waitForRedis(p, c, 10_000);
  };
  const halt = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((res) => c.once('exit', res));
    c.kill('SIGTERM');
    await exited;
  };
  const unhook = onExit(() => {
    (child as ChildProcess | null)?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await launch();
  } catch (e) {
    await halt();
    unhook();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url: `redis://127.0.0.1:${p}`,
    async stop() {
      await halt();
      unhook();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt();
      await launch();
    },
  };
}
