// ESLint flat config for the whole repository (`npm run lint` runs `eslint .`).
// Not type-aware on purpose: `npm run typecheck` (tsc, svelte-check) covers types, and
// this stays fast. Formatting is prettier's job; no rule here fights it.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  globalIgnores(['**/node_modules/', 'app/build/', 'app/.svelte-kit/', '.data/', 'test-results/', 'artifacts/']),

  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs['flat/recommended'],
  svelte.configs['flat/prettier'],

  {
    name: 'taskmaster/all',
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Product code logs with pino (lib/logger.ts); scripts/ and tests/ may print.
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Node runs the .ts files by stripping types (tsconfig `erasableSyntaxOnly`), and
      // Svelte's <script lang="ts"> does the same: no syntax that needs TypeScript to emit
      // code. tsc reports these too; this says so at lint time, in app/ as well.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSEnumDeclaration:not([declare=true])',
          message: 'No enums (type stripping cannot run them): use a union of literals or an `as const` object.',
        },
        {
          selector: 'TSParameterProperty',
          message: 'No parameter properties (type stripping cannot run them): declare the field and assign it.',
        },
        {
          selector: 'TSImportEqualsDeclaration:not([importKind="type"])',
          message: 'No `import x = require()` / `import x = N.y`: use an ES import.',
        },
        { selector: 'TSExportAssignment', message: 'No `export =`: use an ES export.' },
      ],
    },
  },

  {
    name: 'taskmaster/scripts-and-tests',
    files: ['scripts/**', 'tests/**', '**/*.test.ts'],
    rules: { 'no-console': 'off' },
  },

  {
    name: 'taskmaster/svelte-typescript',
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: {
        parser: tseslint.parser,
        extraFileExtensions: ['.svelte'],
      },
    },
    // As typescript-eslint advises for TypeScript: svelte-check reports undefined names,
    // and no-undef cannot see ambient types such as SvelteKit's `App` namespace.
    rules: { 'no-undef': 'off' },
  },

  {
    // Server code (gateway, workers, lib, scripts, tests, config files) runs in Node...
    name: 'taskmaster/node-globals',
    ignores: ['app/src/**'],
    languageOptions: { globals: globals.node },
  },
  {
    // ...the SvelteKit app in the browser, except its server modules.
    name: 'taskmaster/app-browser-globals',
    files: ['app/src/**'],
    ignores: ['app/src/**/*.server.{ts,js}', 'app/src/lib/server/**'],
    languageOptions: { globals: globals.browser },
  },
  {
    name: 'taskmaster/app-server-globals',
    files: ['app/src/**/*.server.{ts,js}', 'app/src/lib/server/**'],
    languageOptions: { globals: globals.node },
  },
]);
