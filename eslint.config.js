// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', 'bench/dist/**', 'node_modules/**', 'coverage/**', '.data/**', '*.js'] },
  js.configs.recommended,
  // Type-aware: floating promises, misused promises, unsafe any and the like are errors.
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      // An async function without await still returns a promise, as an interface may require.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Specs read supertest bodies and jest matchers, which are `any` by design (the e2e response
    // validator checks the bodies' shape).
    files: ['test/**/*.ts', 'src/**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // JavaScript is not in a TypeScript project: the syntax rules only.
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The embeddable box runs in readers' browsers, as a classic script.
    files: ['src/pages/assets/**/*.js'],
    languageOptions: { sourceType: 'script', globals: require('globals').browser },
  },
  {
    // Plain CommonJS helpers run by `node` directly.
    files: ['scripts/**/*.js', 'test/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly', fetch: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
