/**
 * The bad-input table: malformed input across the CLI, configuration and
 * profile files, k6 scripts and the environment, each with the exit code
 * the README documents ("Exit codes"; `k6 run`: k6's own codes) and the start
 * of the one-line error it must give. `$DIR` in args, env and file names is
 * the test's temporary folder; `files` are written there first.
 */

export interface BadInputCase {
  name: string;
  args: string[];
  env?: Record<string, string>;
  files?: Record<string, string>;
  exit: number;
  /** The first line of stderr (the error itself). */
  first: RegExp;
  /** The fix: a `hint:` line or commander's usage pointer (default: required). */
  needsHint?: boolean;
}

const profile = (o: object) => JSON.stringify(o);
const run = (file: string, ...more: string[]) => [
  'run',
  '--profile',
  `$DIR/${file}`,
  '--results-dir',
  '$DIR/results',
  '--quiet',
  ...more,
];
const cfg = (file: string) => ['config', 'show', '--profile', `$DIR/${file}`];
const k6 = (file: string, ...more: string[]) => [
  'k6',
  'run',
  '--engine',
  'embedded',
  '--quiet',
  ...more,
  `$DIR/${file}`,
];

const SCRIPT_OK =
  "import http from 'k6/http';\nexport const options = { vus: 1, iterations: 1 };\nexport default async function () { await http.asyncRequest('GET', 'http://127.0.0.1:1/'); }\n";

export const CLI_CASES: BadInputCase[] = [
  { name: 'unknown command', args: ['frobnicate'], exit: 2, first: /^error: unknown command 'frobnicate'/ },
  { name: 'unknown flag', args: ['run', '--frobnicate'], exit: 2, first: /^error: unknown option '--frobnicate'/ },
  {
    name: 'unknown profile name',
    args: ['run', '--profile', 'nighty'],
    exit: 2,
    first: /^error\[UNKNOWN_PROFILE\]: --profile 'nighty' is not a profile; choose one of .*smoke/,
  },
  {
    name: 'missing profile file',
    args: ['run', '--profile', '$DIR/nope.json'],
    exit: 2,
    first: /^error\[UNKNOWN_PROFILE\]: profile file '.*nope.json' does not exist/,
  },
  {
    name: 'engine not a choice',
    args: ['run', '--engine', 'turbo'],
    exit: 2,
    first: /^error: option '--engine <engine>' argument 'turbo' is invalid/,
  },
  {
    name: 'scale not a number',
    args: ['run', '--scale', 'abc'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: --scale 'abc' is not a number/,
  },
  {
    name: 'scale negative',
    args: ['run', '--scale', '-1'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile 'smoke' has 1 problem: seed\.scale: Too (small|big)/,
  },
  {
    name: 'scale zero',
    args: ['run', '--scale', '0'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile 'smoke' has 1 problem: seed\.scale: Too (small|big)/,
  },
  {
    name: 'scale too large',
    args: ['seed', '--scale', '100000'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile 'smoke' has 1 problem: seed\.scale: Too (small|big)/,
  },
  {
    name: 'seed not an integer',
    args: ['run', '--seed', '1.5'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile 'smoke' has 1 problem: seed\.seed/,
  },
  {
    name: 'unknown scenario flag',
    args: ['run', '--scenario', 'nope'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: --scenario 'nope' is not a scenario/,
  },
  {
    name: 'base URL not a URL',
    args: ['run', '--base-url', 'not a url'],
    exit: 2,
    first: /^error\[BAD_(CONFIG|URL|FLAG)\].*not a url/,
  },
  {
    name: 'base URL with a wrong scheme',
    args: ['run', '--base-url', 'ftp://127.0.0.1/'],
    exit: 2,
    first: /^error\[BAD_(CONFIG|URL|FLAG)\].*ftp:/,
  },
  {
    name: 'fault kind unknown',
    args: ['run', '--fault', 'redis-crash@1s'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: --fault 'redis-crash@1s': 'redis-crash' is not a fault kind/,
  },
  {
    name: 'fault duration zero',
    args: ['run', '--fault', 'redis-stop@1s:0s'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: --fault 'redis-stop@1s:0s': the duration must be longer than 0/,
  },
  {
    name: 'fault time malformed',
    args: ['run', '--fault', 'pool-exhaust@soon'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: --fault 'pool-exhaust@soon': time 'soon'/,
  },
  {
    name: 'api port out of range',
    args: ['api', '--port', '70000'],
    exit: 2,
    first: /^error\[BAD_(CONFIG|FLAG)\].*(port|70000)/,
  },
  {
    name: 'api port not a number',
    args: ['api', '--port', 'abc'],
    exit: 2,
    first: /^error\[BAD_(CONFIG|FLAG)\].*(port|abc)/,
  },
  {
    // read in preflight, before any service is touched; the empty results folder is removed
    name: 'run with a baseline file that does not exist',
    args: ['run', '--baseline', '$DIR/missing-baseline.json', '--results-dir', '$DIR/results-baseline'],
    exit: 2,
    first: /^error\[RESULTS_ERROR\]: stage 'preflight: baseline': '.*missing-baseline\.json' does not exist/,
  },
  {
    // PostgreSQL listens on 5432 wherever these tests run: caught before any work starts.
    name: 'api port in use',
    args: ['api', '--port', '5432'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: the API's address .*127\.0\.0\.1:5432 is already in use/,
  },
  {
    name: 'check with an unknown checker',
    args: ['check', '--only', 'cache-magic'],
    exit: 2,
    first: /^error\[BAD_(FLAG|CONFIG)\].*cache-magic/,
  },
  {
    name: 'scenario run of an unknown scenario',
    args: ['scenario', 'run', 'nope'],
    exit: 2,
    first: /^error\[BAD_FLAG\].*'nope'/,
  },
  {
    name: 'report of a missing folder',
    args: ['report', '$DIR/no-such-run'],
    exit: 2,
    first: /^error\[RESULTS_ERROR\].*no-such-run/,
  },
  {
    name: 'report of a folder whose run.json is not JSON',
    files: { 'run.json': '{"schema": ' },
    args: ['report', '$DIR'],
    exit: 2,
    first: /^error\[RESULTS_ERROR\].*run\.json/,
  },
  {
    name: 'check with a grace period that is not a duration',
    args: ['check', '--grace', 'soonish'],
    exit: 2,
    first: /^error\[BAD_(FLAG|CONFIG)\].*soonish/,
  },
  {
    name: 'compare with a missing run',
    args: ['compare', '$DIR/no-run-a', '$DIR/no-run-b'],
    exit: 2,
    first: /^error\[RESULTS_ERROR\].*no-run-a/,
  },
];

export const PROFILE_CASES: BadInputCase[] = [
  {
    name: 'profile not JSON',
    files: { 'p.json': '{ "seed": { "scale": 1, } }' },
    args: cfg('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: profile file '.*p.json' is not valid JSON/,
  },
  {
    name: 'profile is an array',
    files: { 'p.json': '[1, 2]' },
    args: cfg('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: profile file '.*p.json' must hold a JSON object/,
  },
  {
    name: 'unknown top-level key',
    files: { 'p.json': profile({ poool: { size: 5 } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: \(top level\): unknown key 'poool'/,
  },
  {
    name: 'unknown nested key',
    files: { 'p.json': profile({ pool: { sise: 5 } }) },
    args: cfg('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: pool: unknown key 'sise'/,
  },
  {
    name: 'pool size as a string',
    files: { 'p.json': profile({ pool: { size: '25' } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: pool\.size: .*expected number, received string/,
  },
  {
    name: 'negative pool',
    files: { 'p.json': profile({ pool: { size: -1 } }) },
    args: run('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: pool\.size: Too small.*given: -1/,
  },
  {
    name: 'negative overflow',
    files: { 'p.json': profile({ pool: { overflow: -5 } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: pool\.overflow: Too small.*given: -5/,
  },
  {
    name: 'zero acquire timeout',
    files: { 'p.json': profile({ pool: { acquireTimeoutMs: 0 } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: pool\.acquireTimeoutMs: Too small/,
  },
  {
    name: 'no scenarios',
    files: { 'p.json': profile({ load: { scenarios: [] } }) },
    args: run('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: load\.scenarios: Too small/,
  },
  {
    name: 'unknown scenario in a profile',
    files: { 'p.json': profile({ load: { scenarios: ['smoke', 'nope'] } }) },
    args: run('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: load\.scenarios\.1: .*given: "nope"/,
  },
  {
    name: 'TTL of zero',
    files: { 'p.json': profile({ cache: { ttlSeconds: { sessions: 0 } } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: cache\.ttlSeconds\.sessions: Too small/,
  },
  {
    name: 'key prefix without a colon',
    env: { ACGS_REDIS_PREFIX: '' },
    files: { 'p.json': profile({ redis: { prefix: 'acgs' } }) },
    args: cfg('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: redis\.prefix: must be letters/,
  },
  {
    name: 'database name that is not an identifier',
    files: { 'p.json': profile({ database: { name: 'acgs; DROP DATABASE x' } }) },
    args: run('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: database\.name: must be a lower-case SQL identifier/,
  },
  {
    name: 'success rate above 1',
    files: { 'p.json': profile({ targets: { successRate: 1.5 } }) },
    args: cfg('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: targets\.successRate: Too big/,
  },
  {
    name: 'fault of an unknown kind',
    files: { 'p.json': profile({ faults: [{ kind: 'disk-full', atSeconds: 1 }] }) },
    args: run('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: faults\.0\.kind: .*given: "disk-full"/,
  },
  {
    name: 'fault at a negative time',
    files: { 'p.json': profile({ faults: [{ kind: 'redis-stop', atSeconds: -3 }] }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: faults\.0\.atSeconds: Too small/,
  },
  {
    name: 'throwaway as a string',
    files: { 'p.json': profile({ services: { throwaway: 'yes' } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: services\.throwaway: .*expected boolean/,
  },
  {
    name: 'ladder step of zero users',
    files: { 'p.json': profile({ load: { ladder: { users: [0, 10] } } }) },
    args: cfg('p.json'),
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: load\.ladder\.users\.0: Too small/,
  },
  {
    name: 'database URL of another database kind',
    env: { DATABASE_URL: '' },
    files: { 'p.json': profile({ database: { url: 'mysql://root@127.0.0.1/x' } }) },
    args: run('p.json'),
    exit: 2,
    first: /^error\[BAD_URL\]: DATABASE_URL \(database\.url\) 'mysql:/,
  },
  {
    name: 'overlapping faults',
    files: {
      'p.json': profile({
        services: { throwaway: true },
        faults: [
          { kind: 'redis-stop', atSeconds: 1, durationSeconds: 5 },
          { kind: 'redis-slow', atSeconds: 3 },
        ],
      }),
    },
    args: run('p.json'),
    exit: 2,
    first: /^error\[BAD_CONFIG\].*overlap in time/,
  },
];

export const ENV_CASES: BadInputCase[] = [
  {
    name: 'ACGS_API_PORT naming a port in use',
    env: { ACGS_API_PORT: '6379' },
    args: ['api'],
    exit: 2,
    first: /^error\[BAD_FLAG\]: the API's address .*127\.0\.0\.1:6379 is already in use/,
  },
  {
    name: 'DATABASE_URL not a URL',
    env: { DATABASE_URL: 'localhost:5432' },
    args: ['config', 'show'],
    exit: 2,
    first: /^error\[BAD_URL\]: DATABASE_URL \(database.url\) 'localhost:5432'/,
  },
  {
    name: 'DATABASE_URL naming a user that does not exist',
    env: { DATABASE_URL: 'postgres://post gres@127.0.0.1/acgs_x' },
    args: ['seed'],
    exit: 5,
    first: /^error\[PG_AUTH\]: PostgreSQL at 127.0.0.1:5432\/postgres rejected user 'post gres'/,
  },
  {
    name: 'REDIS_URL with an http scheme',
    env: { REDIS_URL: 'http://127.0.0.1:6379' },
    args: ['config', 'show'],
    exit: 2,
    first: /^error\[BAD_URL\]: REDIS_URL \(redis.url\)/,
  },
  {
    name: 'ACGS_SCALE not a number',
    env: { ACGS_SCALE: 'big' },
    args: ['config', 'show'],
    exit: 2,
    first:
      /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: ACGS_SCALE: expected a number, got 'big'/,
  },
  {
    name: 'ACGS_API_PORT out of range',
    env: { ACGS_API_PORT: '70000' },
    args: ['config', 'show'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: api\.port: Too big/,
  },
  {
    name: 'ACGS_REDIS_PREFIX with a wildcard',
    env: { ACGS_REDIS_PREFIX: 'acgs*:' },
    args: ['config', 'show'],
    exit: 2,
    first: /^error\[BAD_CONFIG\]: the configuration from profile '[^']+' has 1 problem: redis\.prefix: must be letters/,
  },
  {
    name: 'PostgreSQL unreachable',
    env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/acgs_x' },
    args: ['seed', '--scale', '0.01'],
    exit: 5,
    first: /^error\[PG_UNREACHABLE\]/,
  },
  {
    name: 'PostgreSQL host unknown',
    env: { DATABASE_URL: 'postgres://postgres@no-such-host.invalid:5432/acgs_x' },
    args: ['seed', '--scale', '0.01'],
    exit: 5,
    first: /^error\[PG_UNREACHABLE\]/,
  },
  {
    name: 'Redis unreachable',
    env: { REDIS_URL: 'redis://127.0.0.1:1' },
    args: ['seed'],
    exit: 5,
    first: /^error\[REDIS_UNREACHABLE\]/,
  },
  {
    name: 'base URL that does not answer',
    args: ['run', '--base-url', 'http://127.0.0.1:1', '--results-dir', '$DIR/results'],
    exit: 5,
    first: /^error\[TARGET_UNREACHABLE\]/,
  },
  {
    name: 'base URL on a remote host without confirmation',
    args: ['run', '--base-url', 'http://192.0.2.10:8080', '--results-dir', '$DIR/results'],
    exit: 6,
    first: /^error\[UNSAFE_TARGET\].*192\.0\.2\.10/,
  },
];

export const SCRIPT_CASES: BadInputCase[] = [
  {
    name: 'script that does not exist',
    args: k6('missing.js'),
    exit: 2,
    first: /^error\[BAD_FLAG\]: script '.*missing\.js' does not exist/,
  },
  {
    name: 'script with a syntax error',
    files: { 'syntax.js': 'export default function ( {\n' },
    args: k6('syntax.js'),
    exit: 107,
    first: /syntax\.js/,
  },
  {
    name: 'script without a default export',
    files: { 'nodefault.js': 'export const options = { vus: 1, iterations: 1 };\nexport function run() {}\n' },
    args: k6('nodefault.js'),
    exit: 107,
    first: /default/,
  },
  {
    // http.get() by name runs (the VU in a worker thread); one the source hides cannot be told apart in time
    name: 'script with a blocking call hidden from the sync detection',
    files: {
      'blocking.js':
        "import http from 'k6/http';\nexport const options = { vus: 1, iterations: 1 };\nconst m = 'get';\nexport default function () { http[m]('http://127.0.0.1:1/'); }\n",
    },
    args: k6('blocking.js'),
    exit: 107,
    first: /http\.get|asyncRequest|blocking/,
  },
  {
    name: 'script with a bad threshold expression',
    files: {
      'threshold.js': SCRIPT_OK.replace(
        'iterations: 1',
        "iterations: 1, thresholds: { http_req_duration: ['p95 <<< 200'] }",
      ),
    },
    args: k6('threshold.js'),
    exit: 104,
    first: /p95 <<< 200/,
  },
  {
    name: 'script with a threshold on an unknown metric',
    files: {
      'unknownmetric.js': SCRIPT_OK.replace(
        'iterations: 1',
        "iterations: 1, thresholds: { no_such_metric: ['count>0'] }",
      ),
    },
    args: k6('unknownmetric.js'),
    exit: 104,
    first: /no_such_metric/,
  },
  {
    name: 'script that throws in init',
    files: { 'initthrow.js': "throw new Error('boom in init');\nexport default function () {}\n" },
    args: k6('initthrow.js'),
    exit: 107,
    first: /boom in init/,
  },
  {
    name: 'k6 --vus not a number',
    files: { 'ok.js': SCRIPT_OK },
    args: k6('ok.js', '--vus', 'many'),
    exit: 2,
    first: /vus|many/,
  },
  {
    name: 'k6 --duration malformed',
    files: { 'ok2.js': SCRIPT_OK },
    args: k6('ok2.js', '--duration', '10 parsecs'),
    exit: 104,
    first: /must be a positive duration like .*30s.*got .*10 parsecs/,
    needsHint: false,
  },
  {
    name: 'k6 -e without =',
    files: { 'ok3.js': SCRIPT_OK },
    args: k6('ok3.js', '-e', 'NOEQUALS'),
    exit: 2,
    first: /NOEQUALS/,
  },
];
