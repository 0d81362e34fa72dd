/**
 * cache-db-sync on a Redis Cluster: SCAN runs on every primary (a SCAN sent
 * to one node only walks that node). A throw-away three-primary cluster is
 * started from the local redis-server binary on free ports; skipped when the
 * binaries are missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Cluster } from 'ioredis';
import { createTestDatabase, testPrefix, type TestDatabase } from '../test/helpers/services.ts';
import { applySchema, resetRows, testOptions, violationsOf, warmFixture } from '../test/helpers/checks-fixture.ts';
import { runChecks } from './index.ts';

const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version']);
    execFileSync('redis-cli', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let dir: string;
let ports: number[] = [];
const servers: ChildProcess[] = [];
let cluster: Cluster;
let tdb: TestDatabase;
let db: pg.Pool;
let keys = 0;
const prefix = testPrefix('checks_cluster');

describe.skipIf(!hasRedis)('cache-db-sync on a Redis Cluster', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'acgs-cluster-'));
    ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      servers.push(
        spawn(
          'redis-server',
          [
            '--port',
            String(port),
            '--bind',
            '127.0.0.1',
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            join(dir, `nodes-${port}.conf`),
            '--dir',
            dir,
            '--save',
            '',
            '--appendonly',
            'no',
          ],
          { stdio: 'ignore' },
        ),
      );
    }
    for (const port of ports) {
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (
        ports.every((p) =>
          execFileSync('redis-cli', ['-p', String(p), 'cluster', 'info'])
            .toString()
            .includes('cluster_state:ok'),
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    cluster = new Cluster([{ host: '127.0.0.1', port: ports[0] }]);
    tdb = await createTestDatabase('checks_cluster');
    db = new pg.Pool({ connectionString: tdb.url, max: 2 });
    db.on('error', () => {});
    await applySchema(db);
    await resetRows(db);
    keys = await warmFixture(db, cluster, prefix, false);
  });
  afterAll(async () => {
    cluster?.disconnect();
    for (const s of servers) s.kill();
    await db?.end();
    await tdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sweeps every primary and finds a fault on any of them', async () => {
    const perNode = ports.map((p) =>
      Number(
        execFileSync('redis-cli', ['-p', String(p), 'dbsize'])
          .toString()
          .trim(),
      ),
    );
    expect(perNode.filter((n) => n > 0).length).toBeGreaterThan(1); // keys really are spread
    const url = `redis://127.0.0.1:${ports[0]}`;
    const clean = await runChecks(testOptions(tdb.url, url, prefix, { only: ['cache-db-sync', 'data-types'] }));
    expect(violationsOf(clean)).toEqual({});
    expect(clean.checkers[0].checked).toBe(keys);
    expect(clean.checkers[0].notes.join()).toMatch(/swept 3 primaries/);

    await cluster.persist(prefix + 'config:max.votes');
    await db.query('UPDATE principles SET version = 2 WHERE id = 3');
    const r = await runChecks(testOptions(tdb.url, url, prefix, { only: ['cache-db-sync'], graceSeconds: 0.1 }));
    expect(violationsOf(r)).toEqual({ 'cache-db-sync': { no_ttl: 1, stale: 1 } });
  });
});
