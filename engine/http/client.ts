/**
 * A VU's HTTP client: one undici Agent per VU, so connections are reused
 * within a VU and never shared between VUs (k6 gives each VU its own
 * transport), and one request with k6's timing breakdown.
 *
 * Timings (k6 docs "HTTP timings"; k6 lib/netext/httpext/tracer.go), taken
 * from undici's request lifecycle callbacks:
 *   blocked       start -> request handed a connection, minus connecting
 *   connecting    TCP connect of a new connection made for this request
 *   tls_handshaking  TLS handshake of that connection
 *   sending       headers written -> body written (onConnect -> onRequestSent)
 *   waiting       body written -> first response byte (onResponseStarted)
 *   receiving     first byte -> last byte (onComplete)
 *   duration      sending + waiting + receiving
 */
import { Agent, type Dispatcher } from 'undici';
import net from 'node:net';
import tls from 'node:tls';
import { k6ErrorFor, K6_HTTP_ERRORS, type K6HttpError } from './error-codes.ts';

/** k6's `Response.timings`, in milliseconds. */
export interface Timings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  duration: number;
}

/** What one request produced, before it becomes a k6 Response. */
export interface RawResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  timings: Timings;
  error: K6HttpError | null;
  bytesSent: number;
  bytesReceived: number;
  /** Epoch ms when the request started. */
  startEpoch: number;
}

/** One outgoing request. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Buffer | null;
  timeoutMs: number;
  /** Sends `Connection: close` (k6 `noConnectionReuse`). */
  noReuse: boolean;
}

interface ConnectRecord {
  end: number;
  tcp: number;
  tls: number;
}

const now = (): number => performance.now();

/** The HTTP client of one VU. */
export class VuHttpClient {
  private agent: Agent | null = null;
  private readonly connects: ConnectRecord[] = [];

  constructor(private readonly insecureSkipTLSVerify: boolean) {}

  private dispatcher(): Agent {
    if (!this.agent) {
      this.agent = new Agent({
        connect: (opts, cb) => this.connect(opts as ConnectOpts, cb as ConnectCallback),
        // k6 (Go net/http) keeps idle connections 90 s; the server's keep-alive hint still wins.
        keepAliveTimeout: 60_000,
        keepAliveMaxTimeout: 90_000,
      });
    }
    return this.agent;
  }

  /** A connector that records TCP and TLS times, for the request that waits on it. */
  private connect(opts: ConnectOpts, cb: ConnectCallback): void {
    const start = now();
    const https = opts.protocol === 'https:';
    const port = Number(opts.port) || (https ? 443 : 80);
    let tcpEnd = 0;
    let done = false;
    const socket: net.Socket = https
      ? tls.connect({
          host: opts.hostname,
          port,
          servername: opts.servername ?? opts.hostname,
          ALPNProtocols: ['http/1.1'],
          rejectUnauthorized: !this.insecureSkipTLSVerify,
        })
      : net.connect({ host: opts.hostname, port });
    socket.setNoDelay(true);
    const finish = (err: Error | null): void => {
      if (done) return;
      done = true;
      socket.removeListener('error', onError);
      if (err) {
        socket.destroy();
        cb(err, null);
        return;
      }
      const end = now();
      if (!tcpEnd) tcpEnd = end;
      this.connects.push({ end, tcp: tcpEnd - start, tls: https ? end - tcpEnd : 0 });
      cb(null, socket);
    };
    const onError = (e: Error): void => finish(e);
    socket.once('error', onError);
    socket.once('connect', () => {
      tcpEnd = now();
      if (!https) finish(null);
    });
    if (https) socket.once('secureConnect', () => finish(null));
  }

  /**
   * Sends one request. Never rejects for network errors (they become
   * `error`/`error_code` as in k6); rejects only when `register` is
   * cancelled (the iteration was interrupted).
   */
  send(req: OutgoingRequest, register: (cancel: (e: Error) => void) => () => void): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const t0 = now();
      const startEpoch = Date.now();
      let tConnect = 0;
      let tSent = 0;
      let tFirst = 0;
      let status = 0;
      let statusText = '';
      let headerBytes = 0;
      const headers: Record<string, string> = {};
      const chunks: Buffer[] = [];
      let bodyLen = 0;
      let abortFn: ((e: Error) => void) | null = null;
      let settled = false;
      const bytesSent = estimateRequestBytes(req);

      const finish = (error: K6HttpError | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unregister();
        const tEnd = now();
        const timings = this.timings(t0, tConnect, tSent, tFirst, tEnd, error !== null);
        resolve({
          status: error ? 0 : status,
          statusText,
          headers,
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, bodyLen),
          timings,
          error,
          bytesSent: tConnect ? bytesSent : 0,
          bytesReceived: headerBytes + bodyLen,
          startEpoch,
        });
      };
      const timer = setTimeout(() => {
        // settle first: aborting makes undici call onError synchronously
        const abort = abortFn;
        finish({ code: K6_HTTP_ERRORS.REQUEST_TIMEOUT, message: 'request timeout' });
        abort?.(new Error('request timeout'));
      }, req.timeoutMs);
      const unregister = register((e) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abortFn?.(e);
        reject(e);
      });

      const handler: Dispatcher.DispatchHandler & Record<string, unknown> = {
        onConnect(abort: (e?: Error) => void) {
          if (settled) return abort(new Error('request cancelled'));
          abortFn = abort;
          tConnect = now();
        },
        onRequestSent() {
          tSent = now();
        },
        onResponseStarted() {
          tFirst = now();
        },
        onHeaders(code: number, raw: Buffer[], _resume: () => void, text: string) {
          if (code < 200) return true; // 1xx informational: wait for the final response
          status = code;
          statusText = text ?? '';
          headerBytes = 17 + statusText.length;
          for (let i = 0; i < raw.length; i += 2) {
            const k = raw[i].toString('latin1').toLowerCase();
            const v = raw[i + 1].toString('latin1');
            headerBytes += raw[i].length + raw[i + 1].length + 4;
            headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
          }
          headerBytes += 2;
          return true;
        },
        onData(chunk: Buffer) {
          chunks.push(chunk);
          bodyLen += chunk.length;
          return true;
        },
        onComplete() {
          finish(null);
        },
        onError(err: Error) {
          finish(k6ErrorFor(err));
        },
        onUpgrade() {},
      };
      try {
        this.dispatcher().dispatch(
          {
            origin: req.url.origin,
            path: req.url.pathname + req.url.search,
            method: req.method as Dispatcher.HttpMethod,
            headers: req.headers,
            body: req.body,
            reset: req.noReuse,
            // our own timer implements k6's `timeout`; undici's must not fire first
            headersTimeout: req.timeoutMs + 1000,
            bodyTimeout: req.timeoutMs + 1000,
          },
          handler,
        );
      } catch (e) {
        finish(k6ErrorFor(e));
      }
    });
  }

  private timings(t0: number, tConnect: number, tSent: number, tFirst: number, tEnd: number, failed: boolean): Timings {
    if (!tConnect) {
      // never got a connection: all of it was spent blocked/connecting
      const rec = this.takeConnects(t0, tEnd);
      const connecting = rec.tcp;
      return {
        blocked: Math.max(0, tEnd - t0 - connecting - rec.tls),
        connecting,
        tls_handshaking: rec.tls,
        sending: 0,
        waiting: 0,
        receiving: 0,
        duration: 0,
      };
    }
    const rec = this.takeConnects(t0, tConnect);
    const sentAt = tSent || tConnect;
    const firstAt = tFirst || (failed ? tEnd : sentAt);
    const sending = sentAt - tConnect;
    const waiting = Math.max(0, firstAt - sentAt);
    const receiving = Math.max(0, tEnd - firstAt);
    return {
      blocked: Math.max(0, tConnect - t0 - rec.tcp - rec.tls),
      connecting: rec.tcp,
      tls_handshaking: rec.tls,
      sending,
      waiting,
      receiving,
      duration: sending + waiting + receiving,
    };
  }

  /** Connections made while this request waited are this request's connect time. */
  private takeConnects(from: number, to: number): { tcp: number; tls: number } {
    let tcp = 0;
    let tlsMs = 0;
    for (let i = this.connects.length - 1; i >= 0; i--) {
      const c = this.connects[i];
      if (c.end >= from && c.end <= to) {
        tcp += c.tcp;
        tlsMs += c.tls;
        this.connects.splice(i, 1);
      } else if (c.end < from) this.connects.splice(i, 1);
    }
    return { tcp, tls: tlsMs };
  }

  /** Closes the VU's connections. */
  async close(): Promise<void> {
    const a = this.agent;
    this.agent = null;
    if (a) await a.destroy().catch(() => {});
  }
}

type ConnectOpts = { hostname: string; host?: string; protocol: string; port: string; servername?: string };
type ConnectCallback = (err: Error | null, socket: net.Socket | null) => void;

/** Bytes of the request on the wire, as HTTP/1.1 writes it (request line, headers, body). */
function estimateRequestBytes(req: OutgoingRequest): number {
  let n = req.method.length + 1 + req.url.pathname.length + req.url.search.length + 11;
  n += 8 + req.url.host.length; // "host: ...\r\n"
  n += 24; // "connection: keep-alive\r\n"
  for (const k in req.headers) n += k.length + req.headers[k].length + 4;
  if (req.body) n += 18 + String(req.body.length).length + req.body.length; // content-length + body
  return n + 2;
}
