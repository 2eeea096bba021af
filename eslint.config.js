// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Packages that do I/O or belong to the outer layers; the pure core may use none of them. */
const IMPURE = ['node:*', 'fs', 'path', 'os', 'crypto', 'ioredis', 'bullmq', 'fastify', 'pino'];

/**
 * Folders of src/ and which sibling folders each may import, so that imports point only toward
 * the pure core (see the layering table in the README). `errors/` imports nothing and is open to
 * every layer.
 */
const LAYERS = [
  { files: ['src/carbonara/**/*.ts'], allowed: ['errors'] },
  { files: ['src/archive-policy/**/*.ts'], allowed: ['carbonara', 'errors'] },
];

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
  ...LAYERS.map(({ files, allowed }) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: IMPURE, message: 'this layer is pure: no I/O and no outer packages' },
            {
              regex: `^\\.\\./(?!(${allowed.join('|')})/)`,
              message: `this layer may import only from ${allowed.join(', ')}`,
            },
          ],
        },
      ],
    },
  })),
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
