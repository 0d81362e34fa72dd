/**
 * `acgs-load k6 run` as k6 users type it: the flags of k6 cmd/options.go and
 * runtime_options.go, k6's precedence (config file < script < K6_* < flags),
 * bad values with a message that names the flag, gzip NDJSON, and what real
 * k6 is handed (a fake k6 named by K6_BINARY records its command line).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/engine-harness.ts';

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['bin/acgs-load.js', 'k6', 'run', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  // the launcher's one-line rebuild notice (sources newer than dist/) is not the command's output
  const stderr = r.stderr.replace(/^acgs-load: sources changed.*\n/, '');
  return { code: r.status, stdout: r.stdout, stderr };
}

/** A script that logs what it sees: its options, __ENV keys, setup/teardown calls. */
const PROBE = `import exec from 'k6/execution';
export const options = { vus: 2, iterations: 2, tags: { from: 'script' } };
export function setup() { console.log('SETUP'); return { s: 1 }; }
export default function (d) {
  if (exec.scenario.iterationInTest === 0)
    console.log('OPTS ' + JSON.stringify({ o: exec.test.options, d: d ?? null, path: __ENV.PATH !== undefined, mine: __ENV.MINE ?? null }));
}
export function teardown() { console.log('TEARDOWN'); }
`;

function probe(dir: string) {
  const script = join(dir, 'probe.js');
  writeFileSync(script, PROBE);
  return script;
}
const opts = (stderr: string) => JSON.parse(/OPTS (.*?)" source/.exec(stderr)![1].replace(/\\"/g, '"'));

describe('k6 run flags on the embedded engine', () => {
  it('--no-setup, --no-teardown, -s stages, --tag, --include-system-env-vars=false', () => {
    const dir = tempDir();
    const r = cli([
      '--engine=embedded',
      '-q',
      '--no-setup',
      '--no-teardown',
      '-s',
      '200ms:2,100ms:0',
      '--tag',
      'team=api',
      '--include-system-env-vars=false',
      '-e',
      'MINE=1',
      probe(dir),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('SETUP');
    expect(r.stderr).not.toContain('TEARDOWN');
    const o = opts(r.stderr);
    expect(o.o.stages).toEqual([
      { duration: '200ms', target: 2 },
      { duration: '100ms', target: 0 },
    ]);
    expect(o.o.iterations).toBeUndefined(); // stages from a higher layer replace the script's iterations
    expect(o.o.tags).toEqual({ team: 'api' });
    expect(o.d).toBeNull();
    expect(o.path).toBe(false);
    expect(o.mine).toBe('1');
    // the checker can fail: without the flags setup and teardown do run, and PATH is in __ENV
    const plain = cli(['--engine', 'embedded', '-q', probe(dir)]);
    expect(plain.stderr).toContain('SETUP');
    expect(plain.stderr).toContain('TEARDOWN');
    expect(opts(plain.stderr).path).toBe(true);
  });

  it('precedence: config file < script < K6_* variables < flags', () => {
    const dir = tempDir();
    const cfg = join(dir, 'k6.json');
    writeFileSync(cfg, JSON.stringify({ vus: 5, userAgent: 'from-file', maxRedirects: 3, rps: 7 }));
    const run = (env: Record<string, string>, ...flags: string[]) =>
      opts(cli(['--engine', 'embedded', '-q', '-c', cfg, ...flags, probe(dir)], env).stderr).o;
    let o = run({});
    expect([o.vus, o.userAgent, o.maxRedirects, o.rps]).toEqual([2, 'from-file', 3, 7]); // script beats file
    o = run({ K6_VUS: '1', K6_USER_AGENT: 'from-env', K6_MAX_REDIRECTS: '4' });
    expect([o.vus, o.userAgent, o.maxRedirects]).toEqual([1, 'from-env', 4]); // env beats script and file
    o = run({ K6_USER_AGENT: 'from-env', K6_THROW: 'true' }, '--user-agent', 'from-flag', '--throw=false');
    expect([o.userAgent, o.throw]).toEqual(['from-flag', false]); // flags beat env
  });

  it('--no-summary prints no summary and writes no --summary-export; --summary-time-unit fixes the unit', () => {
    const dir = tempDir();
    const exp = join(dir, 'summary.json');
    const none = cli(['--engine', 'embedded', '-q', '--no-summary', '--summary-export', exp, probe(dir)]);
    expect(none.code).toBe(0);
    expect(none.stdout).not.toContain('iterations');
    expect(existsSync(exp)).toBe(false);
    const ms = cli(['--engine', 'embedded', '-q', '--summary-time-unit', 'ms', '--summary-export', exp, probe(dir)]);
    expect(ms.stdout).toMatch(/iteration_duration\.*: avg=\d+\.\d{2}ms min=\d+\.\d{2}ms/);
    expect(existsSync(exp)).toBe(true);
  });

  it('-o json=FILE.gz writes gzip NDJSON', () => {
    const dir = tempDir();
    const out = join(dir, 'm.json.gz');
    const r = cli(['--engine', 'embedded', '-q', '-o', `json=${out}`, probe(dir)]);
    expect(r.code).toBe(0);
    const buf = readFileSync(out);
    expect(buf.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const lines = gunzipSync(buf)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'Point' && l.metric === 'iterations')).toHaveLength(2);
  });

  it('--system-tags keeps only the named system tags on samples', () => {
    const dir = tempDir();
    const out = join(dir, 'm.json');
    cli(['--engine', 'embedded', '-q', '--system-tags', 'scenario', '-o', `json=${out}`, probe(dir)]);
    const points = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'Point');
    expect(points.length).toBeGreaterThan(0);
    for (const p of points.filter((x) => x.metric === 'iterations'))
      expect(p.data.tags).toEqual({ scenario: 'default', from: 'script' });
  });

  it('--system-tags applies to request samples too (recorded in batches): a failed request keeps only the named tags', () => {
    const dir = tempDir();
    const out = join(dir, 'm.json');
    const script = join(dir, 'req.js');
    // port 1: nothing listens, so the request fails at once and still emits its samples
    writeFileSync(
      script,
      `import http from 'k6/http';\nexport const options = { iterations: 1 };\nexport default function () { http.get('http://127.0.0.1:1/'); }\n`,
    );
    const r = cli(['--engine', 'embedded', '-q', '--system-tags', 'method,status', '-o', `json=${out}`, script]);
    expect(r.code, r.stderr).toBe(0);
    const reqs = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.type === 'Point' && l.metric.startsWith('http_req'));
    expect(reqs.length).toBeGreaterThanOrEqual(8);
    for (const p of reqs) expect(p.data.tags).toEqual({ method: 'GET', status: '0' });
  });
});

describe('bad values name the flag and the fix', () => {
  it.each([
    [['--summary-time-unit', 'h'], 2, /--summary-time-unit 'h'/],
    [['-s', '30s:ten'], 2, /--stage 0: .*target "ten"/],
    [['--tag', 'team='], 2, /--tag 'team='/],
    [['--execution-segment', '2/1'], 2, /--execution-segment '2\/1'/],
    [['--rps', '-3'], 2, /--rps '-3'/],
    [['--throw=maybe'], 2, /--throw=maybe is not a boolean/],
    [['--http-debug=body'], 2, /--http-debug=body/],
    [['--batch', '20'], 2, /'--batch 20' is not an option the embedded engine knows/],
  ])('%j -> exit %i', (flags, code, first) => {
    const dir = tempDir();
    const r = cli(['--engine', 'embedded', '-q', ...(flags as string[]), probe(dir)]);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr.split('\n')[0]).toMatch(first);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    [{ K6_VUS: 'many' }, /K6_VUS=.*many.* is not a whole number/],
    [{ K6_NO_SETUP: 'yes' }, /K6_NO_SETUP=.*yes.* is not a boolean/],
    [{ K6_SUMMARY_TIME_UNIT: 'h' }, /invalid summary time unit .*h.*Use: 's', 'ms' or 'us'/],
    [{ K6_CONFIG: '/nonexistent/k6.json' }, /config file \/nonexistent\/k6\.json cannot be read/],
  ])('%j -> exit 104 (invalid config)', (env, first) => {
    const dir = tempDir();
    const r = cli(['--engine', 'embedded', '-q', probe(dir)], env as Record<string, string>);
    expect(r.code, r.stderr).toBe(104);
    expect(r.stderr.split('\n')[0]).toMatch(first);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('--engine k6: what real k6 is handed', () => {
  /** A fake k6: records its argv, and whether data.txt (beside the script) resolves from the bundle's folder. */
  function fakeK6(dir: string): string {
    const bin = join(dir, 'fake-k6');
    writeFileSync(
      bin,
      `#!${process.execPath}
const fs = require('fs'), path = require('path');
const argv = process.argv.slice(2);
const bundle = argv[argv.length - 1];
fs.writeFileSync(${JSON.stringify(join(dir, 'record.json'))}, JSON.stringify({
  argv, bundleExists: fs.existsSync(bundle), relative: fs.existsSync(path.join(path.dirname(bundle), 'data.txt')),
}));
process.exit(99);
`,
    );
    chmodSync(bin, 0o755);
    return bin;
  }

  it('passes our flags in k6 spelling and unknown ones untouched; the bundle sits beside the script and is removed', () => {
    const dir = tempDir();
    const bin = fakeK6(dir);
    const scripts = join(dir, 'scripts');
    spawnSync('mkdir', ['-p', scripts]);
    writeFileSync(join(scripts, 'data.txt'), 'hello');
    const script = join(scripts, 'test.ts');
    writeFileSync(
      script,
      "const data: string = open('./data.txt');\nexport default function () { console.log(data); }\n",
    );
    const r = cli(
      [
        '--engine',
        'k6',
        '--batch',
        '20',
        '-s',
        '10s:5',
        '--execution-segment',
        '0:1/2',
        '--http-debug',
        '--no-setup',
        '--blacklist-ip',
        '10.0.0.0/8',
        script,
      ],
      { K6_BINARY: bin },
    );
    expect(r.code, r.stderr).toBe(99); // k6's exit code comes through
    const rec = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8'));
    const a: string[] = rec.argv;
    expect(a[0]).toBe('run');
    expect(a.join(' ')).toContain('--batch 20 --blacklist-ip 10.0.0.0/8');
    expect(a.join(' ')).toContain('--stage 10s:5');
    expect(a.join(' ')).toContain('--execution-segment 0:1/2');
    expect(a).toContain('--http-debug=headers');
    expect(a).toContain('--no-setup=true');
    expect(rec.bundleExists).toBe(true);
    expect(rec.relative).toBe(true); // open('./data.txt') resolves as beside the script
    expect(readdirSync(scripts).sort()).toEqual(['data.txt', 'test.ts']); // the bundle is gone
  });
});
