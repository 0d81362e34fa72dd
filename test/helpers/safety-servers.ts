/**
 * Servers that need a password, for the bad-input and safety tests: a
 * throw-away PostgreSQL with scram-sha-256 authentication (user postgres) and
 * a throw-away Redis with `requirepass`. Both on free ports in temporary
 * folders, never the shared servers; `stop()` ends them and deletes the folder.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary, freePort, postgresBinDirs } from '../../services/throwaway.ts';
import { redisAnswers, waitUntil } from '../../faults/server-control.ts';

function asPostgres(cmd: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

function must(cmd: string, args: string[]): void {
  const [c, a] = asPostgres(cmd, args);
  const r = spawnSync(c, a, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
}

/** A throw-away PostgreSQL where user postgres needs `password`. */
export async function startPasswordPostgres(
  password: string,
): Promise<{ port: number; url(db: string, pw?: string): string; stop(): Promise<void> }> {
  const dirs = postgresBinDirs();
  const initdb = findBinary('initdb', dirs)!;
  const pgCtl = findBinary('pg_ctl', dirs)!;
  const dir = mkdtempSync(join(tmpdir(), 'acgs-pgpw-'));
  const data = join(dir, 'data');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, password + '\n');
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const port = await freePort();
  must(initdb, [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-sync',
    '--no-instructions',
  ]);
  must(pgCtl, [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  return {
    port,
    url: (db, pw = password) => `postgres://postgres:${encodeURIComponent(pw)}@127.0.0.1:${port}/${db}`,
    async stop() {
      spawnSync(...asPostgres(pgCtl, ['-D', data, '-m', 'immediate', 'stop']));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A throw-away Redis that needs AUTH `password`. */
export async function startPasswordRedis(
  password: string,
): Promise<{ port: number; url(pw?: string | null): string; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'acgs-redispw-'));
  const child: ChildProcess = spawn(
    findBinary('redis-server', ['/usr/bin', '/usr/local/bin'])!,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--requirepass',
      password,
    ],
    { stdio: 'ignore' },
  );
  await waitUntil('Redis', () => redisAnswers(`redis://:${encodeURIComponent(password)}@127.0.0.1:${port}`), 10_000);
  return {
    port,
    url: (pw = password) =>
      pw === null ? `redis://127.0.0.1:${port}` : `redis://:${encodeURIComponent(pw)}@127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
