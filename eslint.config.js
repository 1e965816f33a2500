import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import apprentice from './eslint-rules/wing-boundaries.js';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.apprentice/**', 'coverage/**', 'monitoring/**', 'test/fixtures/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use `as const` objects and unions (STYLE.md §4).' }],
    },
  },
  {
    // The layout (docs/architecture.md): wings import lower wings only, through their index.ts.
    files: ['src/**/*.ts'],
    plugins: { apprentice },
    rules: { 'apprentice/wing-boundaries': 'error' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
