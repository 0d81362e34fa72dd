/**
 * Whether this process may listen on host:port, asked before any work starts
 * so a port in use is a one-line error with the fix, not a failure halfway.
 */
import { createServer } from 'node:net';
import { AcgsError } from '../config/index.ts';

/** The AcgsError for a listen failure (EADDRINUSE, EACCES, EADDRNOTAVAIL), or null for any other error. */
export function listenError(e: unknown, host: string, port: number, what: string): AcgsError | null {
  const code = (e as { code?: string })?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new AcgsError('BAD_FLAG', `${what}: ${where} is already in use by another program`, {
      hint: 'choose another port, or port 0 for a free one',
      cause: e,
    });
  }
  if (code === 'EACCES') {
    return new AcgsError('BAD_FLAG', `${what}: not allowed to listen on ${where} (ports below 1024 need privileges)`, {
      hint: 'choose a port of 1024 or above, or 0 for a free one',
      cause: e,
    });
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new AcgsError('BAD_FLAG', `${what}: ${host} is not an address of this machine`, {
      hint: 'listen on 127.0.0.1 (the default), or an address this machine has',
      cause: e,
    });
  }
  return null;
}

/** Throws the listenError when host:port cannot be listened on; port 0 always can. */
export async function assertCanListen(host: string, port: number, what: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (e) => reject(listenError(e, host, port, what) ?? e));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
