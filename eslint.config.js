// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Packages that do I/O or belong to the outer layers; the pure core may use none of them. */
const IMPURE = ['node:*', 'fs', 'path', 'os', 'crypto', 'ioredis', 'bullmq', 'fastify', 'pino'];

/**
 * Folders of src/ and which siblings each may import, so that imports point only toward the pure
 * core (see the layering table in the README). `errors/` imports nothing and is open to every
 * layer; `config.ts` is open to the layers that receive config slices. `cli/` may import anything.
 */
const CORE = [
  'carbonara/',
  'grammar/',
  'archive-policy/',
  'errors/',
  'async/',
  'fs/',
  'redis/',
  'config.ts',
];
const BACKENDS = ['indexer/', 'ingest/', 'storage/', 'lock/', 'coordination/', 'optracker/'];
const LAYERS = [
  { folder: 'carbonara', allowed: ['errors/'], pure: true },
  { folder: 'grammar', allowed: ['errors/'], pure: true },
  { folder: 'async', allowed: [] },
  { folder: 'fs', allowed: ['errors/'] },
  { folder: 'redis', allowed: ['errors/'] },
  { folder: 'archive-policy', allowed: ['carbonara/', 'grammar/', 'errors/'], pure: true },
  { folder: 'indexer', allowed: CORE },
  { folder: 'ingest', allowed: CORE },
  { folder: 'storage', allowed: CORE },
  { folder: 'lock', allowed: CORE },
  { folder: 'coordination', allowed: [...CORE, 'optracker/'] },
  { folder: 'chef', allowed: [...CORE, ...BACKENDS] },
  { folder: 'metricd', allowed: [...CORE, ...BACKENDS, 'chef/'] },
  { folder: 'api', allowed: [...CORE, ...BACKENDS, 'chef/'] },
  { folder: 'optracker', allowed: CORE },
];

/** One rule per nesting depth, since a relative import's meaning depends on where the file is. */
function layerRules({ folder, allowed, pure }) {
  const escaped = allowed.map((entry) => entry.replace(/[.]/g, '\\.')).join('|');
  return [1, 2, 3].map((depth) => ({
    files: [`src/${folder}/${'*/'.repeat(depth - 1)}*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...(pure
              ? [{ group: IMPURE, message: 'this layer is pure: no I/O and no outer packages' }]
              : []),
            {
              regex: `^(\\.\\./){${depth}}(?!(${escaped}))`,
              message: `src/${folder} may import only from ${allowed.join(', ')}`,
            },
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/'] },
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
