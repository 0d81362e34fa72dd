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

/** Parsed URLs one VU keeps (scripts with endless distinct URLs start over). */
const URL_CACHE_MAX = 1000;

/** The HTTP client of one VU. */
export class VuHttpClient {
  private agent: Agent | null = null;
  private readonly connects: ConnectRecord[] = [];
  private readonly urls = new Map<string, URL>();

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
      const x = new Exchange(this, req, resolve, reject);
      x.unregister = register(x.cancel);
      try {
        this.dispatcher().dispatch(
          {
            origin: req.url.origin,
            path: req.url.pathname + req.url.search,
            method: req.method as Dispatcher.HttpMethod,
            headers: req.headers,
            body: req.body,
            reset: req.noReuse,
            // Our own timer implements k6's `timeout` (it aborts the request);
            // undici's would only arm two more timers per request.
            headersTimeout: 0,
            bodyTimeout: 0,
          },
          x,
        );
      } catch (e) {
        x.finish(k6ErrorFor(e));
      }
    });
  }

  /** k6's timing breakdown from the phase marks of one exchange. */
  timings(t0: number, tConnect: number, tSent: number, tFirst: number, tEnd: number, failed: boolean): Timings {
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

  /**
   * `new URL(s)`, remembered: a VU requests the same few URLs over and over,
   * and parsing is a good part of a request's cost. Throws as `new URL` does.
   * The URL objects are shared, so callers must not modify them.
   */
  parseUrl(s: string): URL {
    let u = this.urls.get(s);
    if (u === undefined) {
      u = new URL(s);
      if (this.urls.size >= URL_CACHE_MAX) this.urls.clear();
      this.urls.set(s, u);
    }
    return u;
  }

  /** Closes the VU's connections. */
  async close(): Promise<void> {
    const a = this.agent;
    this.agent = null;
    if (a) await a.destroy().catch(() => {});
  }
}

/**
 * One request in flight: undici's handler (legacy callback API, which undici
 * passes through without wrapping) and the request's state in plain fields,
 * so a request costs one object instead of a dozen closures. Each phase
 * reads the monotonic clock once.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly t0 = now();
  // Wall clock for the sample time, as k6 stamps samples; kept apart from the
  // monotonic phase marks so a clock step never bends a timing.
  readonly startEpoch = Date.now();
  tConnect = 0;
  tSent = 0;
  tFirst = 0;
  status = 0;
  statusText = '';
  headerBytes = 0;
  headers: Record<string, string> = {};
  body: Buffer | null = null;
  chunks: Buffer[] | null = null;
  bodyLen = 0;
  abortFn: ((e: Error) => void) | null = null;
  settled = false;
  timer: NodeJS.Timeout;
  unregister: () => void = noop;
  /** The interruption hook handed to `register` (k6 context cancel). */
  readonly cancel = (e: Error): void => {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.abortFn?.(e);
    this.reject(e);
  };

  constructor(
    private readonly client: VuHttpClient,
    private readonly req: OutgoingRequest,
    private readonly resolve: (r: RawResponse) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.timer = setTimeout(onTimeout, req.timeoutMs, this);
  }

  finish(error: K6HttpError | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.unregister();
    const tEnd = now();
    const { t0, tConnect } = this;
    const body = this.chunks ? Buffer.concat(this.chunks, this.bodyLen) : (this.body ?? EMPTY);
    deliver(this.resolve, {
      status: error ? 0 : this.status,
      statusText: this.statusText,
      headers: this.headers,
      body,
      timings: this.client.timings(t0, tConnect, this.tSent, this.tFirst, tEnd, error !== null),
      error,
      bytesSent: tConnect ? estimateRequestBytes(this.req) : 0,
      bytesReceived: this.headerBytes + this.bodyLen,
      startEpoch: this.startEpoch,
    });
  }

  onConnect(abort: (e?: Error) => void): void {
    if (this.settled) return abort(new Error('request cancelled'));
    this.abortFn = abort;
    this.tConnect = now();
  }
  onRequestSent(): void {
    this.tSent = now();
  }
  onResponseStarted(): void {
    this.tFirst = now();
  }
  onHeaders(code: number, raw: Buffer[], _resume: () => void, text: string): boolean {
    if (code < 200) return true; // 1xx informational: wait for the final response
    this.status = code;
    const statusText = (this.statusText = text ?? '');
    let headerBytes = 17 + statusText.length;
    const headers = this.headers;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i].toString('latin1').toLowerCase();
      const v = raw[i + 1].toString('latin1');
      headerBytes += raw[i].length + raw[i + 1].length + 4;
      headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
    }
    this.headerBytes = headerBytes + 2;
    return true;
  }
  onData(chunk: Buffer): boolean {
    if (this.body === null) this.body = chunk;
    else (this.chunks ??= [this.body]).push(chunk);
    this.bodyLen += chunk.length;
    return true;
  }
  onComplete(): void {
    this.finish(null);
  }
  onError(err: Error): void {
    this.finish(k6ErrorFor(err));
  }
  onUpgrade(): void {}
}

function onTimeout(x: Exchange): void {
  // settle first: aborting makes undici call onError synchronously
  const abort = x.abortFn;
  x.finish({ code: K6_HTTP_ERRORS.REQUEST_TIMEOUT, message: 'request timeout' });
  abort?.(new Error('request timeout'));
}

/**
 * Finished requests are handed to their scripts in one batch, after the
 * event loop's poll phase. Responses that arrive together (VUs in step, a
 * server that answers a burst at once) are each read and timestamped in
 * their own socket callback; resolving the promise there would run that
 * script's continuation - the Response, the samples, the next request -
 * before the next socket is read, and the next response's timings would
 * include it. Deferred, every response in the burst is timestamped first.
 */
let ready: Array<[(r: RawResponse) => void, RawResponse]> = [];
function deliver(resolve: (r: RawResponse) => void, r: RawResponse): void {
  if (ready.length === 0) setImmediate(deliverReady);
  ready.push([resolve, r]);
}
function deliverReady(): void {
  const batch = ready;
  ready = [];
  for (const [resolve, r] of batch) resolve(r);
}

const noop = (): void => {};
const EMPTY = Buffer.alloc(0);

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
