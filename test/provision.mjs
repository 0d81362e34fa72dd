#!/usr/bin/env node
// Provisions what the tests need on a machine of the kind the README names
// (Debian, Node 20, PostgreSQL and Redis installed), as `npx playwright
// install --with-deps` does for browsers: run by `npm test` (npm's pretest)
// before anything else, so the README's test command passes on a fresh
// machine with nothing installed by hand.
//
//  1. PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 answer; a
//     local server that is installed but stopped is started.
//  2. Debian's `chromium` (renders report.html in the HTML report test) and
//     `docker-compose` (validates docker-compose.yml) are installed when
//     missing, with apt-get (as root, or through `sudo -n`).
//
// Anything it cannot do ends the test command here, with what to do instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';

const log = (line) => process.stderr.write(`provision: ${line}\n`);

function fail(problem, fix) {
  process.stderr.write(`provision: ${problem}\nhint: ${fix}\n`);
  process.exit(1);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function answers(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.connect(port, '127.0.0.1', () => done(true));
  });
}

async function waitFor(port, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await answers(port)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** Runs a command as root: directly when we are root, else through `sudo -n`. */
function asRoot(args) {
  const root = process.getuid?.() === 0;
  if (!root && !has('sudo')) return { status: 1, stderr: 'not root and no sudo' };
  const [cmd, rest] = root ? [args[0], args.slice(1)] : ['sudo', ['-n', ...args]];
  return spawnSync(cmd, rest, {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function ensurePostgres() {
  if (await answers(5432)) return;
  if (!has('pg_ctlcluster') || !existsSync('/etc/postgresql')) {
    fail(
      'PostgreSQL does not answer on 127.0.0.1:5432 and no local cluster is installed',
      'apt-get install postgresql (trust auth for 127.0.0.1, user postgres), or start your server on 127.0.0.1:5432',
    );
  }
  const version = readdirSync('/etc/postgresql')[0];
  log(`starting PostgreSQL ${version} (cluster main)`);
  const r = asRoot(['pg_ctlcluster', '--skip-systemctl-redirect', version, 'main', 'start']);
  if (!(await waitFor(5432, 30))) {
    fail(
      `PostgreSQL did not start: ${(r.stderr || '').trim() || 'no answer on 127.0.0.1:5432 within 30 s'}`,
      `start it yourself: pg_ctlcluster --skip-systemctl-redirect ${version} main start`,
    );
  }
}

async function ensureRedis() {
  if (await answers(6379)) return;
  if (!has('redis-server')) {
    fail('Redis does not answer on 127.0.0.1:6379 and redis-server is not installed', 'apt-get install redis-server');
  }
  log('starting Redis on 127.0.0.1:6379');
  const dir = existsSync('/var/lib/redis') ? '/var/lib/redis' : '/tmp';
  const args = ['redis-server', '--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379'];
  const r = spawnSync(args[0], [...args.slice(1), '--save', '', '--appendonly', 'no', '--dir', dir], {
    encoding: 'utf8',
  });
  if (!(await waitFor(6379, 15))) {
    fail(
      `Redis did not start: ${(r.stderr || '').trim() || 'no answer on 127.0.0.1:6379 within 15 s'}`,
      'start it yourself: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save ""',
    );
  }
}

/** Debian packages for the tools the tests use, when the command is missing. */
function ensureTools() {
  const wanted = [
    ['chromium', 'chromium'],
    ['docker-compose', 'docker-compose'],
  ];
  const missing = wanted.filter(([command]) => !has(command)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (!has('apt-get')) {
    fail(`missing ${missing.join(', ')} and no apt-get to install them`, `install ${missing.join(' and ')} yourself`);
  }
  log(`installing ${missing.join(', ')} from Debian's packages (once; takes a minute)`);
  const update = asRoot(['apt-get', 'update', '-qq']);
  const install = update.status === 0 ? asRoot(['apt-get', 'install', '-y', '-qq', ...missing]) : update;
  if (install.status !== 0 || missing.some((pkg) => !has(pkg))) {
    fail(
      `could not install ${missing.join(', ')}: ${(install.stderr || '').trim().split('\n').slice(-1)[0] || 'apt-get failed'}`,
      `run as root: apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
}

await ensurePostgres();
await ensureRedis();
ensureTools();
