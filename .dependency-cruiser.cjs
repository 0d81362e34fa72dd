/**
 * The import boundaries of docs/architecture.md, checked by `npm test`
 * (`npm run check:boundaries`):
 *
 *   1. a folder imports only the folders listed for it in bin/layers.cjs (so arrows
 *      point one way and no two folders import each other);
 *   2. from another folder, only a folder's index.ts is imported (its public
 *      API); scenarios/ has no index: its files are k6 scripts and their pure
 *      helpers;
 *   3. never: checks/ from api/ or seed/ (an oracle that shares code with
 *      what it checks shares its bugs); scenarios/ from anything of ours.
 *
 * Tests (`*.test.ts`, test/) and benchmarks (bench/) may import anything.
 * Parsed with swc: dependency-cruiser's TypeScript parser needs the
 * TypeScript compiler API, which TypeScript 7 no longer ships.
 */
const LAYERS = require('./bin/layers.cjs');
const FOLDERS = Object.keys(LAYERS);
const NOT_TESTS = '(\\.test\\.ts$)';

const layerRules = FOLDERS.map((from) => {
  const others = FOLDERS.filter((f) => f !== from && !LAYERS[from].includes(f));
  return {
    name: `${from}-imports-only-its-layers`,
    comment: `${from}/ may import ${LAYERS[from].join(', ') || 'nothing of ours'} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `^${from}/`, pathNot: NOT_TESTS },
    to: { path: `^(${others.join('|')})/` },
  };
}).filter((r) => r.to.path !== '^()/');

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'only-through-index',
      comment: "another folder's internal file: import its index.ts (its public API) instead",
      severity: 'error',
      from: { path: `^(${FOLDERS.join('|')})/`, pathNot: NOT_TESTS },
      to: {
        path: `^(${FOLDERS.filter((f) => f !== 'scenarios').join('|')})/.+`,
        pathNot: ['^[a-z]+/index\\.ts$', '^$1/'],
      },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|results|test-artifacts)/' },
  },
};
