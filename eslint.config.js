// Type-aware linting: the engine is async everywhere, so floating promises are real bugs here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.lab/', 'coverage/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The layering (docs: design notes): data flows answers -> render -> steps -> screens/cli, never back.
  {
    files: ['src/render/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/steps/**', '**/steps/*'], message: 'render is pure: it never imports steps' },
            {
              group: ['**/screens/**', '**/screens/*', '**/cli/**', '**/cli/*'],
              message: 'render never imports screens or the CLI',
            },
            {
              group: ['ink', 'react', 'ssh2', 'node:fs', 'node:child_process', 'fs', 'child_process'],
              message: 'render does no I/O and no UI',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/steps/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/screens/**', '**/screens/*'], message: 'steps never import screens' },
            { group: ['**/cli/**', '**/cli/*'], message: 'steps never import the CLI' },
            { group: ['ink', 'ink-*', 'react'], message: 'steps never import Ink or React' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/answers/**/*.ts',
      'src/catalog/**/*.ts',
      'src/input/**/*.ts',
      'src/net/**/*.ts',
      'src/shell/**/*.ts',
      'src/text/**/*.ts',
      'src/secrets/**/*.ts',
      'src/state/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/steps/**',
                '**/steps/*',
                '**/screens/**',
                '**/screens/*',
                '**/cli/**',
                '**/cli/*',
                '**/render/**',
                '**/render/*',
              ],
              message: 'the model and state layers sit below render, steps, screens and the CLI',
            },
            { group: ['ink', 'ink-*', 'react'], message: 'no UI below the screens' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
);
