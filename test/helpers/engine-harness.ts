/**
 * Helpers for the embedded engine's conformance tests: a local HTTP server,
 * scripts written to a temporary folder, and a run that captures stdout and
 * stderr in memory.
 */
import http from 'node:http';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tempDir as makeTempDir } from './temp.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runK6, type K6RunOptions, type K6RunResult } from '../../engine/index.ts';

/** A local server; `requests` counts what it received. */
export interface TestServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

/** Starts a node:http server on a free port; the default handler answers 200 with JSON. */
export async function startServer(handler?: http.RequestListener): Promise<TestServer> {
  const s: TestServer = { url: '', requests: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    s.requests++;
    if (handler) return handler(req, res);
    const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, path: req.url, items: [1, 2, 3] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  s.url = `http://127.0.0.1:${addr.port}`;
  s.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** A fresh folder for one test's scripts and outputs, removed when the test process exits. */
export function tempDir(): string {
  return makeTempDir('acgs-engine-test-');
}

/** What a test run gives back. */
export interface ScriptRun {
  result: K6RunResult;
  stdout: string;
  stderr: string;
  dir: string;
  /** Lines the script wrote with console.log (parsed as JSON where they are JSON). */
  logs: unknown[];
}

/** Writes `code` as a script and runs it on the embedded engine. */
export async function runScript(code: string, opts: Partial<K6RunOptions> = {}, ext = 'js'): Promise<ScriptRun> {
  const dir = tempDir();
  const script = join(dir, `script.${ext}`);
  writeFileSync(script, code);
  const out = new Capture();
  const err = new Capture();
  const consoleOutput = join(dir, 'console.log');
  const result = await runK6({ script, quiet: true, consoleOutput, ...opts, stdout: out, stderr: err }, 'embedded');
  const logs = existsSync(consoleOutput)
    ? readFileSync(consoleOutput, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const msg = JSON.parse(/msg=("(?:[^"\\]|\\.)*")/.exec(l)![1]) as string;
          try {
            return JSON.parse(msg);
          } catch {
            return msg;
          }
        })
    : [];
  return { result, stdout: out.text, stderr: err.text, dir, logs };
}

/** A metric's summary values from a run (undefined when it has no samples). */
export function metric(run: ScriptRun, name: string): Record<string, number> | undefined {
  return run.result.summary?.metrics[name]?.values;
}
