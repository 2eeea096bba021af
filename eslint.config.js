// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * Packages that do I/O or belong to the outer layers; the pure core may use none of them, except
 * `node:crypto`'s hashes, which are computation (Gnocchi's resource ids are SHA-1 based UUIDs).
 */
const IMPURE = [
  'node:*',
  '!node:crypto',
  'fs',
  'path',
  'os',
  'ioredis',
  'bullmq',
  'fastify',
  'pino',
];

/**
 * Folders of src/ and which siblings each may import, so that imports point only toward the pure
 * core (the layering of docs/architecture.md). `errors/` imports nothing and is open to every
 * layer; `config/` is open to the layers that receive config slices or backend targets. `cli/` may
 * import anything.
 */
const CORE = [
  'carbonara/',
  'grammar/',
  'archive-policy/',
  'resource/',
  'subhealth/',
  'errors/',
  'async/',
  'fs/',
  'redis/',
  'config/',
  'log/',
];
const BACKENDS = ['indexer/', 'ingest/', 'storage/', 'lock/', 'coordination/', 'optracker/'];
const LAYERS = [
  { folder: 'errors', allowed: [], pure: true },
  { folder: 'carbonara', allowed: ['errors/'], pure: true },
  { folder: 'grammar', allowed: ['errors/'], pure: true },
  { folder: 'archive-policy', allowed: ['carbonara/', 'grammar/', 'errors/'], pure: true },
  { folder: 'resource', allowed: ['grammar/', 'errors/'], pure: true },
  { folder: 'subhealth', allowed: ['errors/'], pure: true },
  { folder: 'log', allowed: [] },
  { folder: 'async', allowed: [] },
  { folder: 'fs', allowed: ['errors/'] },
  { folder: 'redis', allowed: ['errors/'] },
  { folder: 'config', allowed: ['carbonara/', 'errors/'] },
  { folder: 'indexer', allowed: CORE },
  { folder: 'ingest', allowed: CORE },
  { folder: 'storage', allowed: CORE },
  { folder: 'lock', allowed: CORE },
  { folder: 'optracker', allowed: CORE },
  { folder: 'coordination', allowed: [...CORE, 'optracker/'] },
  { folder: 'chef', allowed: [...CORE, ...BACKENDS] },
  { folder: 'agent', allowed: CORE },
  { folder: 'metricd', allowed: [...CORE, ...BACKENDS, 'chef/', 'agent/'] },
  { folder: 'api', allowed: [...CORE, ...BACKENDS, 'chef/'] },
  { folder: 'cli', allowed: undefined },
  { folder: 'console', allowed: [], browser: true },
];

/** Packages that belong to one part of the tree: nothing else may import them. */
const OWNED_PACKAGES = [
  { owner: 'api', packages: ['fastify', 'fastify-plugin', '@fastify/*', 'prom-client', 'esbuild'] },
  { owner: 'console', packages: ['uplot'] },
  { owner: 'metricd', packages: ['bullmq'] },
  { owner: 'indexer', packages: ['kysely', 'pg', 'better-sqlite3'] },
  { owner: 'lock', packages: ['proper-lockfile'] },
  { owner: 'ingest', packages: ['msgpackr'] },
  { owner: 'cli', packages: ['pino'] },
];

/**
 * Rooms inside a folder that must not reach into their siblings: the API's plumbing, arguments
 * and views know nothing of its routes and services; metricd's reporter skeleton knows neither
 * mode, the two modes know nothing of each other, and only the cluster mode touches BullMQ.
 */
const INNER = [
  { folder: 'api/http', forbidden: ['routes', 'services'] },
  { folder: 'api/arguments', forbidden: ['routes', 'services'] },
  { folder: 'api/views', forbidden: ['routes', 'services'] },
  { folder: 'api/auth', forbidden: ['routes', 'services'] },
  { folder: 'metricd/reporter', forbidden: ['local', 'cluster', 'worker', 'modules'] },
  { folder: 'metricd/supervision', forbidden: ['local', 'cluster', 'worker', 'modules'] },
  { folder: 'metricd/modules', forbidden: ['local', 'cluster', 'worker', 'supervision'] },
  { folder: 'metricd/local', forbidden: ['cluster', 'worker', 'modules'] },
  { folder: 'metricd/cluster', forbidden: ['local', 'worker', 'modules'] },
  { folder: 'metricd/worker', forbidden: ['local', 'reporter', 'modules'] },
].map((room) =>
  room.folder.startsWith('metricd/') && room.folder !== 'metricd/cluster'
    ? { ...room, packages: ['bullmq'] }
    : room,
);

/** The `no-restricted-imports` patterns of a file `depth` folders below src/<folder>. */
function layerPatterns({ folder, allowed, pure, browser }, depth) {
  const patterns = [];
  if (pure) {
    patterns.push({ group: IMPURE, message: 'this layer is pure: no I/O and no outer packages' });
  }
  if (browser) {
    patterns.push({ group: IMPURE, message: 'the console runs in the browser: no Node modules' });
  }
  if (allowed !== undefined) {
    const escaped = allowed.map((entry) => entry.replace(/[.]/g, '\\.')).join('|');
    patterns.push({
      regex: `^(\\.\\./){${depth}}(?!(${escaped}))`,
      message: `src/${folder} may import only from ${allowed.join(', ') || 'itself'}`,
    });
  }
  for (const { owner, packages } of OWNED_PACKAGES) {
    if (owner === folder) continue;
    patterns.push({ group: packages, message: `only src/${owner} may import ${packages[0]}` });
  }
  return patterns;
}

function restrict(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

/** One rule per nesting depth, since a relative import's meaning depends on where the file is. */
function layerRules(layer) {
  return [1, 2, 3].map((depth) =>
    restrict([`src/${layer.folder}/${'*/'.repeat(depth - 1)}*.ts`], layerPatterns(layer, depth)),
  );
}

/** The folder's own rules plus the inner ones; later in the config, so they win for its files. */
function innerRules({ folder, forbidden, packages = [] }) {
  const [top] = folder.split('/');
  const layer = LAYERS.find((candidate) => candidate.folder === top);
  return restrict(
    [`src/${folder}/*.ts`],
    [
      ...layerPatterns(layer, 2),
      {
        regex: `^\\.\\./(${forbidden.join('|')})/`,
        message: `src/${folder} may not import ${forbidden.join(' or ')}`,
      },
      ...(packages.length === 0
        ? []
        : [{ group: packages, message: `src/${folder} may not import ${packages.join(', ')}` }]),
    ],
  );
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/prefer-for-of': 'off',
      '@typescript-eslint/prefer-nullish-coalescing': 'off',
      // NOTE: typed-array reads are `number | undefined` under noUncheckedIndexedAccess; hot loops
      // say `as number` where the index is in range by construction, and `!` stays forbidden.
      '@typescript-eslint/non-nullable-type-assertion-style': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  ...LAYERS.flatMap(layerRules),
  ...INNER.map(innerRules),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // NOTE: node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': 'off',
      // NOTE: in tests an unexpected undefined fails the test, which is what `!` would hide.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  prettier,
);
