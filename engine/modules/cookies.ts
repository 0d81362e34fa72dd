/**
 * k6's cookie jar (k6 docs "CookieJar", "Cookies"; k6 js/modules/k6/http/
 * cookiejar.go and lib/netext/httpext/request.go): cookies a response sets
 * are kept per VU and sent with the VU's later requests to matching URLs
 * (RFC 6265 domain, path, secure and expiry rules). The VU's default jar is
 * emptied at the start of each iteration unless `noCookiesReset` is set.
 */

/** One stored cookie. */
export interface StoredCookie {
  name: string;
  value: string;
  domain: string;
  /** true when the cookie had no Domain attribute: only its own host gets it. */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Epoch ms, or 0 for a session cookie. */
  expires: number;
}

/** What the jar's set() takes (k6 `CookieOptions`). */
interface CookieOptions {
  domain?: string;
  path?: string;
  expires?: string;
  max_age?: number;
  secure?: boolean;
  http_only?: boolean;
}

/** A k6 Response's `cookies` entry. */
export interface ResponseCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  http_only: boolean;
  secure: boolean;
  max_age: number;
  expires: number;
}

/** A request cookie in params.cookies: a value, or {value, replace}. */
type ParamsCookie = string | { value?: unknown; replace?: boolean };

/** k6 `http.CookieJar`. Its state is plain data (`cookies`), so a jar crosses to a sync VU's worker and back. */
export class CookieJar {
  cookies: StoredCookie[] = [];

  /** k6 `jar.cookiesForURL(url)`: name -> values of the cookies that URL would get. */
  cookiesForURL(url: unknown): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.matching(new URL(String(url)))) (out[c.name] ??= []).push(c.value);
    return out;
  }

  /** k6 `jar.set(url, name, value, [options])`. */
  set(url: unknown, name: unknown, value: unknown, options?: CookieOptions | null): void {
    const u = new URL(String(url));
    const o = options ?? {};
    let expires = 0;
    if (o.max_age !== undefined && Number(o.max_age) !== 0) expires = Date.now() + Number(o.max_age) * 1000;
    else if (o.expires) expires = Date.parse(o.expires) || 0;
    if (o.max_age !== undefined && Number(o.max_age) < 0) expires = 1;
    this.store({
      name: String(name),
      value: String(value),
      domain: (o.domain ?? u.hostname).replace(/^\./, '').toLowerCase(),
      hostOnly: !o.domain,
      path: o.path ?? defaultPath(u),
      secure: o.secure === true,
      httpOnly: o.http_only === true,
      expires,
    });
  }

  /** k6 `jar.clear(url)`: removes every cookie that URL would get. */
  clear(url: unknown): void {
    const drop = new Set(this.matching(new URL(String(url))));
    this.cookies = this.cookies.filter((c) => !drop.has(c));
  }

  /** k6 `jar.delete(url, name)`. */
  delete(url: unknown, name: unknown): void {
    const drop = new Set(this.matching(new URL(String(url))).filter((c) => c.name === String(name)));
    this.cookies = this.cookies.filter((c) => !drop.has(c));
  }

  /** Keeps the cookies of a response's Set-Cookie headers (joined with ", " or one per entry). */
  storeSetCookies(url: URL, header: string | string[] | undefined): ResponseCookie[] {
    if (!header) return [];
    const lines = Array.isArray(header) ? header : splitSetCookie(header);
    const out: ResponseCookie[] = [];
    for (const line of lines) {
      const c = parseSetCookie(line, url);
      if (!c) continue;
      out.push(c.response);
      this.store(c.stored);
    }
    return out;
  }

  /** The Cookie header value for a request (k6 SetRequestCookies: request cookies, then the jar's unless replaced). */
  cookieHeader(url: URL, reqCookies: Record<string, ParamsCookie> | undefined): string {
    const pairs: string[] = [];
    const replaced = new Set<string>();
    if (reqCookies)
      for (const [name, c] of Object.entries(reqCookies)) {
        const value = c !== null && typeof c === 'object' ? String(c.value ?? '') : String(c);
        pairs.push(`${name}=${value}`);
        if (c !== null && typeof c === 'object' && c.replace) replaced.add(name);
      }
    for (const c of this.matching(url)) if (!replaced.has(c.name)) pairs.push(`${c.name}=${c.value}`);
    return pairs.join('; ');
  }

  private store(c: StoredCookie): void {
    this.cookies = this.cookies.filter((o) => !(o.name === c.name && o.domain === c.domain && o.path === c.path));
    if (c.expires === 0 || c.expires > Date.now()) this.cookies.push(c);
  }

  private matching(url: URL): StoredCookie[] {
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expires === 0 || c.expires > now);
    const host = url.hostname.toLowerCase();
    const path = url.pathname || '/';
    return this.cookies
      .filter(
        (c) =>
          (c.hostOnly ? host === c.domain : host === c.domain || host.endsWith(`.${c.domain}`)) &&
          pathMatches(path, c.path) &&
          (!c.secure || url.protocol === 'https:' || url.protocol === 'wss:'),
      )
      .sort((a, b) => b.path.length - a.path.length);
  }
}

/** A jar that crossed threads as plain data, as a CookieJar again. */
export function reviveJar(j: unknown): CookieJar | undefined {
  if (!j || typeof j !== 'object' || !Array.isArray((j as CookieJar).cookies)) return undefined;
  if (j instanceof CookieJar) return j;
  const jar = new CookieJar();
  jar.cookies = (j as CookieJar).cookies;
  return jar;
}

/** A request's cookies as k6's Request.cookies shows them. */
export function requestCookies(
  header: string,
): Record<string, Array<{ name: string; value: string; replace: boolean }>> {
  const out: Record<string, Array<{ name: string; value: string; replace: boolean }>> = {};
  for (const part of header ? header.split('; ') : []) {
    const i = part.indexOf('=');
    const name = part.slice(0, i);
    (out[name] ??= []).push({ name, value: part.slice(i + 1), replace: false });
  }
  return out;
}

/** Response cookies grouped by name (k6 `Response.cookies`). */
export function responseCookies(list: ResponseCookie[]): Record<string, ResponseCookie[]> {
  const out: Record<string, ResponseCookie[]> = {};
  for (const c of list) (out[c.name] ??= []).push(c);
  return out;
}

function defaultPath(u: URL): string {
  const p = u.pathname;
  if (!p.startsWith('/') || p.lastIndexOf('/') === 0) return '/';
  return p.slice(0, p.lastIndexOf('/'));
}

function pathMatches(reqPath: string, cookiePath: string): boolean {
  if (reqPath === cookiePath) return true;
  if (!reqPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || reqPath[cookiePath.length] === '/';
}

/** Splits Set-Cookie headers joined with ", " (a comma inside Expires is followed by a day, not `name=`). */
function splitSetCookie(joined: string): string[] {
  return joined.split(/,\s*(?=[^;,=\s]+=)/);
}

function parseSetCookie(line: string, url: URL): { stored: StoredCookie; response: ResponseCookie } | null {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return null;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let domain = '';
  let path = '';
  let secure = false;
  let httpOnly = false;
  let maxAge: number | undefined;
  let expires = 0;
  for (const a of attrs) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? '' : a.slice(i + 1).trim();
    if (k === 'domain') domain = v.replace(/^\./, '').toLowerCase();
    else if (k === 'path') path = v;
    else if (k === 'secure') secure = true;
    else if (k === 'httponly') httpOnly = true;
    else if (k === 'max-age') maxAge = Number(v);
    else if (k === 'expires') expires = Date.parse(v) || 0;
  }
  const host = url.hostname.toLowerCase();
  // RFC 6265 5.3: a Domain the request's host is not inside is ignored (the cookie is rejected)
  if (domain && host !== domain && !host.endsWith(`.${domain}`)) return null;
  const exp = maxAge !== undefined ? (maxAge <= 0 ? 1 : Date.now() + maxAge * 1000) : expires;
  const stored: StoredCookie = {
    name,
    value,
    domain: domain || host,
    hostOnly: !domain,
    path: path.startsWith('/') ? path : defaultPath(url),
    secure,
    httpOnly,
    expires: exp,
  };
  return {
    stored,
    response: {
      name,
      value,
      domain,
      path,
      http_only: httpOnly,
      secure,
      max_age: maxAge ?? 0,
      expires: expires ? Math.floor(expires / 1000) : 0,
    },
  };
}
