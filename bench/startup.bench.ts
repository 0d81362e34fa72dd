/**
 * bench:startup — how long the suite takes to start, beside `node -e 0` in
 * the same run: `acgs-load --help`, `acgs-load config show`, and from
 * spawning the API's process to its first `/healthz` 200 (PostgreSQL and
 * Redis as the README sets them up; the database is seeded first if needed).
 * Also the same CLI run from the TypeScript sources through tsx, which is what
 * every start cost before the compiled bundle.
 *
 *   npm run bench:startup [runs]      (default 7 runs each; the median and the spread are printed)
 *
 * Goals (issue 17): --help ≤ 0.3 s; the API healthy ≤ 0.5 s after spawn.
 * Last line: one JSON object with the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { loadConfig } from '../config/index.ts';
import { resolveServices, startApiProcess } from '../services/index.ts';

const RUNS = Number(process.argv[2] ?? 7);

function timeCommand(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ACGS_PROFILE: '' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

function stats(xs: number[]): { median: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

function repeat(fn: () => number): { median: number; min: number; max: number } {
  fn(); // warm the file cache
  return stats(Array.from({ length: RUNS }, fn));
}

async function apiHealthyMs(databaseUrl: string, redisUrl: string): Promise<number> {
  const config = loadConfig({ env: {}, flags: { cache: { warmOnStart: false } } });
  const t0 = performance.now();
  const api = await startApiProcess({ config, databaseUrl, redisUrl });
  try {
    for (;;) {
      const r = await fetch(`${api.url}/healthz`).catch(() => null);
      if (r?.status === 200) return performance.now() - t0;
      await new Promise((res) => setTimeout(res, 5));
    }
  } finally {
    await api.close();
  }
}

async function main(): Promise<void> {
  const config = loadConfig({ env: {} });
  const svc = await resolveServices(config);
  // the API needs a seeded database; `seed` skips when the fingerprint matches
  const seeded = spawn(process.execPath, ['bin/acgs-load.js', 'seed', '--no-warm'], { stdio: 'ignore' });
  await new Promise((res) => seeded.once('exit', res));

  const nodeNoop = repeat(() => timeCommand(['-e', '0']));
  const help = repeat(() => timeCommand(['bin/acgs-load.js', '--help']));
  const configShow = repeat(() => timeCommand(['bin/acgs-load.js', 'config', 'show']));
  const helpTsx = repeat(() => timeCommand(['bin/run-ts.js', 'cli/main.ts', '--help']));
  await apiHealthyMs(svc.databaseUrl, svc.redisUrl); // warm
  const api: number[] = [];
  for (let i = 0; i < RUNS; i++) api.push(await apiHealthyMs(svc.databaseUrl, svc.redisUrl));
  const apiHealthy = stats(api);
  await svc.stop();

  const row = (name: string, s: { median: number; min: number; max: number }, goal = '') =>
    `${name.padEnd(44)} ${(s.median / 1000).toFixed(3).padStart(7)} s   (${(s.min / 1000).toFixed(3)}–${(s.max / 1000).toFixed(3)})  ${goal}`;
  process.stdout.write(
    [
      `startup, median of ${RUNS} runs (min–max)`,
      row('node -e 0', nodeNoop),
      row('acgs-load --help (compiled)', help, '≤ 0.300 s'),
      row('acgs-load config show (compiled)', configShow),
      row('acgs-load --help from the sources (tsx)', helpTsx),
      row('API process: spawn -> first /healthz 200', apiHealthy, '≤ 0.500 s'),
      '',
    ].join('\n'),
  );
  const s = (x: { median: number }) => Math.round(x.median) / 1000;
  process.stdout.write(
    JSON.stringify({
      bench: 'startup',
      runs: RUNS,
      nodeNoopS: s(nodeNoop),
      helpS: s(help),
      configShowS: s(configShow),
      helpFromSourcesS: s(helpTsx),
      apiHealthyS: s(apiHealthy),
    }) + '\n',
  );
}

await main();
