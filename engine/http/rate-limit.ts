/**
 * k6 `--rps` / `options.rps`: at most `rps` requests a second across all VUs,
 * evenly spaced. k6 (lib/netext/httpext/request.go) waits before each request
 * on one limiter shared by the VUs, `rate.NewLimiter(rps, 1)`: a burst of one,
 * so request n may start no earlier than n / rps seconds after the first.
 * Redirects a request follows do not wait again (they are one request to the
 * script), as in k6.
 */
export class RequestRateLimiter {
  private next = -Infinity;

  constructor(readonly rps: number) {}

  /** Takes the next free slot; how many milliseconds the caller waits for it (0 when free now). */
  reserve(now: number = performance.now()): number {
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.rps;
    return at - now;
  }
}
