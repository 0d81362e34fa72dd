/**
 * The k6 modules people import, on the embedded engine (k6 docs
 * "JavaScript API"): k6/crypto, k6/timers, k6/encoding, Response.json()
 * with gjson selectors, and the modules that stay unsupported failing at
 * init with a message naming the module and --engine k6. Each runs on the
 * async path and, where the module matters there, on the sync path (a VU in a
 * worker thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, runScript, startServer, type TestServer } from './helpers/engine-harness.ts';
import { selectJson } from '../engine/modules/json-selector.ts';

/** The example document of gjson's SYNTAX.md. */
const GJSON_DOC = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
};

let server: TestServer;
/** Sets cookies (/set, /redirect) and echoes what a request carried (/echo). */
let cookies: TestServer;
beforeAll(async () => {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(GJSON_DOC));
  });
  cookies = await startServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/set') {
        res.setHeader('set-cookie', [
          'a=1; Path=/',
          'b=2; Max-Age=3600; HttpOnly',
          'gone=x; Max-Age=0',
          'sub=3; Path=/sub',
        ]);
        res.end('set');
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/echo', 'set-cookie': 'r=1; Path=/' });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            cookie: req.headers.cookie ?? '',
            ct: req.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      }
    });
  });
});
afterAll(async () => {
  await server.close();
  await cookies.close();
});

describe('k6/crypto', () => {
  it("gives the digests k6's documentation prints, in every output encoding, on both paths", async () => {
    const code = (sync: boolean) => `import crypto from 'k6/crypto'; import http from 'k6/http';
      export const options = { iterations: 1 };
      export default ${sync ? '' : 'async '}function () {
        if (${sync} && __ITER < 0) http.get('x');
        const bin = new Uint8Array([104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100, 33]).buffer;
        const h = crypto.createHash('sha256'); h.update('hello '); const part = h.digest('hex'); h.update('world!');
        const mac = crypto.createHMAC('sha256', 'mysecret'); mac.update('hello world!');
        const rnd = crypto.randomBytes(16);
        console.log(JSON.stringify({
          sha256: crypto.sha256('hello world!', 'hex'), sha256bin: crypto.sha256(bin, 'hex'),
          sha1: crypto.sha1('hello world!', 'hex'), md5: crypto.md5('hello world!', 'hex'),
          md4: crypto.md4('abc', 'hex'), ripemd160: crypto.ripemd160('', 'hex'),
          sha384: crypto.sha384('', 'hex').slice(0, 16), sha512: crypto.sha512('', 'hex').slice(0, 16),
          sha512_224: crypto.sha512_224('', 'hex').slice(0, 16), sha512_256: crypto.sha512_256('', 'hex').slice(0, 16),
          b64: crypto.md5('hello world!', 'base64'), b64url: crypto.sha1('hello world!', 'base64url'), b64raw: crypto.sha1('hello world!', 'base64rawurl'),
          binLen: crypto.md5('x', 'binary').byteLength,
          stream: h.digest('hex'), part: part !== h.digest('hex'),
          hmac: crypto.hmac('sha256', 'mysecret', 'hello world!', 'hex'), hmac2: mac.digest('hex'),
          hmacMd4: crypto.hmac('md4', 'key', 'The quick brown fox jumps over the lazy dog', 'hex'),
          rnd: rnd.byteLength,
        }));
      }`;
    for (const sync of [false, true]) {
      const r = await runScript(code(sync));
      expect(r.result.exitCode, r.stderr).toBe(0);
      const o = r.logs[0] as Record<string, unknown>;
      expect(o).toMatchObject({
        sha256: '7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9',
        sha256bin: '7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9',
        sha1: '430ce34d020724ed75a196dfc2ad67c77772d169',
        md5: 'fc3ff98e8c6a0d3087d515c0473f8677',
        md4: 'a448017aaf21d8525fc10ae87aa6729d', // RFC 1320
        ripemd160: '9c1185a5c5e9fc54612808977ee8f548b2258d31',
        sha384: '38b060a751ac9638',
        sha512: 'cf83e1357eefb8bd',
        sha512_224: '6ed0dd02806fa89e',
        sha512_256: 'c672b8d1ef56ed28',
        b64: '/D/5joxqDTCH1RXARz+Gdw==',
        binLen: 16,
        stream: '7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9',
        part: true,
        hmac: '893a72d8cab129e5ba85aea4599fd53f59bfe652cff4098a3780313228d8c20f',
        rnd: 16,
      });
      expect(o.hmac2).toBe(o.hmac);
      expect(o.b64url).toMatch(/^[\w-]+=$/);
      expect(o.b64raw).toBe((o.b64url as string).replace(/=+$/, ''));
      expect(o.hmacMd4).toMatch(/^[0-9a-f]{32}$/);
    }
  });

  it('an unknown algorithm or encoding is an error that names what is allowed', async () => {
    const r = await runScript(`import crypto from 'k6/crypto';
      export default async function () { crypto.sha3('x', 'hex'); }`);
    expect(r.stderr).toMatch(/sha3 is not a function|not a function/);
    const r2 = await runScript(`import crypto from 'k6/crypto';
      export default async function () { crypto.createHash('whirlpool'); }`);
    expect(r2.stderr).toContain('invalid algorithm \\"whirlpool\\"; k6/crypto supports md4, md5');
    const r3 = await runScript(`import crypto from 'k6/crypto';
      export default async function () { crypto.md5('x', 'base32'); }`);
    expect(r3.stderr).toContain('invalid output encoding \\"base32\\"');
  });
});

describe('k6/timers', () => {
  it('setTimeout/setInterval/clear*: the iteration ends when its timers are done, as in k6', async () => {
    for (const sync of [false, true]) {
      const r =
        await runScript(`import { setTimeout, clearTimeout, setInterval, clearInterval } from 'k6/timers'; import http from 'k6/http';
        export const options = { iterations: 1 };
        export default function () {
          if (${sync} && __ITER < 0) http.get('x');
          const log = [];
          setTimeout((a) => log.push('t' + a), 150, 1);
          const never = setTimeout(() => log.push('never'), 50); clearTimeout(never);
          let n = 0; const iv = setInterval(() => { log.push('i' + ++n); if (n === 3) { clearInterval(iv); setTimeout(() => console.log(JSON.stringify(log)), 10); } }, 20);
        }`);
      expect(r.result.exitCode, r.stderr).toBe(0);
      expect(r.logs).toEqual([['i1', 'i2', 'i3']]);
      // the iteration waited for the 150 ms timer
      expect(metric(r, 'iteration_duration')!.min).toBeGreaterThanOrEqual(145);
    }
  });
});

describe('k6/encoding', () => {
  it('b64encode/b64decode with std, rawstd, url, rawurl and the "s" output format', async () => {
    const r = await runScript(`import encoding from 'k6/encoding';
      export default async function () {
        const s = 'hello world?>';
        const e = { std: encoding.b64encode(s), rawstd: encoding.b64encode(s, 'rawstd'), url: encoding.b64encode(s, 'url'), rawurl: encoding.b64encode(s, 'rawurl') };
        const d = Object.fromEntries(Object.entries(e).map(([k, v]) => [k, encoding.b64decode(v, k, 's')]));
        const buf = encoding.b64decode(e.std);
        let bad = ''; try { encoding.b64decode('a$b', 'std'); } catch (err) { bad = String(err.message); }
        console.log(JSON.stringify({ e, d, buf: buf.byteLength, bin: encoding.b64encode(new Uint8Array([255, 254]).buffer), bad }));
      }`);
    expect(r.result.exitCode, r.stderr).toBe(0);
    expect(r.logs[0]).toEqual({
      e: {
        std: 'aGVsbG8gd29ybGQ/Pg==',
        rawstd: 'aGVsbG8gd29ybGQ/Pg',
        url: 'aGVsbG8gd29ybGQ_Pg==',
        rawurl: 'aGVsbG8gd29ybGQ_Pg',
      },
      d: { std: 'hello world?>', rawstd: 'hello world?>', url: 'hello world?>', rawurl: 'hello world?>' },
      buf: 13,
      bin: '//4=',
      bad: 'b64decode: "a$b" is not valid std base64',
    });
  });
});

describe('Response.json(selector)', () => {
  it("takes gjson's path syntax (the examples of gjson's SYNTAX.md), on both paths", async () => {
    const selectors = [
      'name.last',
      'age',
      'children.#',
      'children.1',
      'child*.2',
      'c?ildren.0',
      'fav\\.movie',
      'friends.#.first',
      'friends.1.last',
      'friends.#(last=="Murphy").first',
      'friends.#(last=="Murphy")#.first',
      'friends.#(age>45)#.last',
      'friends.#(first%"D*").last',
      'friends.#(first!%"D*").last',
      'friends.#(nets.#>2).first',
      'missing.key',
    ];
    for (const sync of [false, true]) {
      const call = sync ? `http.get('${server.url}/')` : `await http.asyncRequest('GET', '${server.url}/')`;
      const r = await runScript(`import http from 'k6/http';
        export default ${sync ? '' : 'async '}function () {
          const res = ${call};
          console.log(JSON.stringify(${JSON.stringify(selectors)}.map((s) => { const v = res.json(s); return v === undefined ? '<undefined>' : v; })));
        }`);
      expect(r.result.exitCode, r.stderr).toBe(0);
      expect(r.logs[0]).toEqual([
        'Anderson',
        37,
        3,
        'Alex',
        'Jack',
        'Sara',
        'Deer Hunter',
        ['Dale', 'Roger', 'Jane'],
        'Craig',
        'Dale',
        ['Dale', 'Jane'],
        ['Craig', 'Murphy'],
        'Murphy',
        'Craig',
        'Dale',
        '<undefined>',
      ]);
    }
  });

  it('a query value that is not a JSON literal is an error that says so', () => {
    expect(() => selectJson(GJSON_DOC, 'friends.#(last==Murphy).first')).toThrow(/not a JSON literal/);
    expect(selectJson(GJSON_DOC, 'friends.#(last=="Nobody").first')).toBeUndefined();
  });
});

describe('unsupported modules', () => {
  it.each([
    ['k6/browser', 'a browser'],
    ['k6/net/grpc', 'gRPC'],
    ['k6/ws', 'WebSockets'],
    ['k6/experimental/redis', 'an experimental k6 module'],
    ['k6/experimental/websockets', 'WebSockets'],
  ])('%s fails at init (107) with a message naming it and --engine k6', async (mod, what) => {
    const r = await runScript(`import m from '${mod}'; export default function () { void m; }`);
    expect(r.result.exitCode).toBe(107);
    expect(r.stderr).toContain(
      `module \\"${mod}\\" (${what}) is not supported by the embedded engine; run the script with real k6 (--engine k6)`,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace of the engine
  });
});

describe('cookies', () => {
  it("a response's cookies go to the VU's jar and with its next requests; jar.set/delete/clear; params.cookies; reset per iteration", async () => {
    for (const sync of [false, true]) {
      const req = (m: string, path: string, params = 'undefined') =>
        sync
          ? `http.request('${m}', '${cookies.url}${path}', null, ${params})`
          : `(await http.asyncRequest('${m}', '${cookies.url}${path}', null, ${params}))`;
      const r = await runScript(`import http from 'k6/http';
        export const options = { iterations: 2, vus: 1 };
        export default ${sync ? '' : 'async '}function () {
          if (__ITER === 1) { console.log(JSON.stringify({ second: ${req('GET', '/echo')}.json('cookie') })); return; }
          const set = ${req('GET', '/set')};
          const jar = http.cookieJar();
          const afterSet = ${req('GET', '/echo')}.json('cookie');
          const sub = ${req('GET', '/sub/x')}.json('cookie');
          jar.set('${cookies.url}', 'manual', 'm');
          const withManual = ${req('GET', '/echo')}.json('cookie');
          jar.delete('${cookies.url}', 'a');
          const reqCookies = ${req('GET', '/echo', "{ cookies: { b: { value: 'mine', replace: true }, extra: 'e' } }")};
          const own = new http.CookieJar();
          const ownJar = ${req('GET', '/echo', '{ jar: own }')}.json('cookie');
          const redirected = ${req('GET', '/redirect')}.json('cookie');
          const forUrl = jar.cookiesForURL('${cookies.url}/');
          jar.clear('${cookies.url}');
          const cleared = ${req('GET', '/echo')}.json('cookie');
          console.log(JSON.stringify({ names: Object.keys(set.cookies).sort(), b: set.cookies.b[0], afterSet, sub, withManual,
            reqCookies: reqCookies.json('cookie'), reqSide: Object.keys(reqCookies.request.cookies).sort(), ownJar, redirected, forUrl, cleared }));
        }`);
      expect(r.result.exitCode, r.stderr).toBe(0);
      expect(r.logs[0], r.stderr).toMatchObject({
        names: ['a', 'b', 'gone', 'sub'],
        b: { name: 'b', value: '2', http_only: true, max_age: 3600 },
        afterSet: 'a=1; b=2',
        sub: 'sub=3; a=1; b=2', // the longer path first (RFC 6265 5.4)
        withManual: 'a=1; b=2; manual=m',
        reqCookies: 'b=mine; extra=e; manual=m',
        reqSide: ['b', 'extra', 'manual'],
        ownJar: '',
        redirected: 'b=2; manual=m; r=1',
        forUrl: { b: ['2'], manual: ['m'], r: ['1'] },
        cleared: '',
      });
      expect(r.logs[1], sync ? 'sync' : 'async').toEqual({ second: '' }); // the default jar is new each iteration
    }
  });
});

describe('http.file and multipart bodies', () => {
  it('an object body with an http.file() is sent as multipart/form-data, on both paths', async () => {
    for (const sync of [false, true]) {
      const call = sync ? 'http.post' : "await http.asyncRequest('POST', ";
      const r = await runScript(`import http from 'k6/http';
        export default ${sync ? '' : 'async '}function () {
          const body = { field: 'value', upload: http.file('file content', 'a.txt', 'text/plain'), bin: http.file(new Uint8Array([65, 66]).buffer, 'b.bin') };
          const res = ${sync ? `${call}('${cookies.url}/echo', body)` : `${call}'${cookies.url}/echo', body)`};
          console.log(JSON.stringify({ ct: res.json('ct'), body: res.json('body') }));
        }`);
      expect(r.result.exitCode, r.stderr).toBe(0);
      const { ct, body } = r.logs[0] as { ct: string; body: string };
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(ct)![1];
      expect(body).toBe(
        [
          `--${boundary}`,
          'Content-Disposition: form-data; name="field"',
          '',
          'value',
          `--${boundary}`,
          'Content-Disposition: form-data; name="upload"; filename="a.txt"',
          'Content-Type: text/plain',
          '',
          'file content',
          `--${boundary}`,
          'Content-Disposition: form-data; name="bin"; filename="b.bin"',
          'Content-Type: application/octet-stream',
          '',
          'AB',
          `--${boundary}--`,
          '',
        ].join('\r\n'),
      );
    }
  });
});
