/**
 * The engine's log lines, in k6's logfmt layout (logrus TextFormatter without
 * a TTY): `time="..." level=error msg="..." source=stacktrace`. The engine
 * writes them to the streams its caller hands in; it never touches the
 * process's own stdout/stderr.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { inspect } from 'node:util';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

/** Quotes a logfmt value when it needs it (as logrus does). */
function fmtValue(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return /^[A-Za-z0-9_.\-/:@]+$/.test(s) ? s : JSON.stringify(s);
}

/** One logfmt line without the trailing newline. */
export function formatLogLine(
  level: LogLevel,
  msg: string,
  fields: Record<string, unknown> = {},
  time = new Date(),
): string {
  let line = `time="${time.toISOString()}" level=${level} msg=${JSON.stringify(msg)}`;
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${fmtValue(v)}`;
  return line;
}

/** Formats console.log arguments as k6 does (strings as is, objects as JSON-like). */
export function formatConsoleArgs(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error || (a && typeof a === 'object' && 'stack' in a && 'message' in a))
        return String((a as Error).stack ?? a);
      if (a !== null && typeof a === 'object') {
        try {
          return JSON.stringify(a);
        } catch {
          return inspect(a, { depth: 3 });
        }
      }
      return String(a);
    })
    .join(' ');
}

/** Where the engine's own log lines and the script's console output go. */
export class EngineLogger {
  private readonly consoleFile: WriteStream | null;
  private readonly warned = new Set<string>();

  constructor(
    private readonly stderr: NodeJS.WritableStream,
    consoleOutput?: string,
  ) {
    this.consoleFile = consoleOutput ? createWriteStream(consoleOutput, { flags: 'w' }) : null;
  }

  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    this.stderr.write(formatLogLine(level, msg, fields) + '\n');
  }

  /** Logs a message only the first time its key is seen (k6 warns once too). */
  warnOnce(key: string, msg: string, fields?: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log('warning', msg, fields);
  }

  /** console.* from the script: k6 logs it with source=console (or to --console-output). */
  console(level: LogLevel, args: unknown[]): void {
    const line = formatLogLine(level, formatConsoleArgs(args), { source: 'console' }) + '\n';
    if (this.consoleFile) this.consoleFile.write(line);
    else this.stderr.write(line);
  }

  /** Flushes and closes the console file, if any. */
  async close(): Promise<void> {
    const f = this.consoleFile;
    if (f) await new Promise<void>((res) => f.end(res));
  }
}
