// Lint: typescript-eslint's recommended rules, the import direction between runtimes, and no
// focused tests.

import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import direction from './build/eslint/import-direction.js';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'out/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { local: direction },
    rules: {
      'local/import-direction': ['error', { root: import.meta.dirname }],
      'no-restricted-properties': [
        'error',
        { object: 'it', property: 'only', message: 'A focused test silences the rest of the suite.' },
        { object: 'describe', property: 'only', message: 'A focused test silences the rest of the suite.' },
        { object: 'test', property: 'only', message: 'A focused test silences the rest of the suite.' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    // The renderer reads the server's types (the typed bridge), which brings Node's type
    // declarations into its type-check; it has no Node at run time, so their globals stay out.
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global', 'setImmediate'].map((name) => ({ name, message: 'The renderer is sandboxed: Node globals do not exist there.' })),
      ],
    },
  },
);
