// ESLint (flat config): typescript-eslint's recommended rules over every TypeScript and JavaScript
// file of the repo, Prettier's config last so no lint rule argues with the formatter.
//
// Not type-checked (recommended, not recommendedTypeChecked): a type-aware run builds the whole
// TypeScript program again after `tsc --noEmit` did, about 4x the CPU of this one (measured 43 s
// against 11 s user time on this project's 2-core machine). Its most valuable rule,
// no-floating-promises, found 9 places, all OrderedDispatch.submit, whose promise cannot reject
// (it catches and reports inside): the `void` convention already marks promises left on purpose.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Built output, dependencies, generated files, and the rig's and Asterisk's own trees.
    ignores: ['dist/', 'web/dist/', 'node_modules/', 'coverage/', 'var/', 'schemas/', 'asterisk-config/', 'dialplans/', 'docker/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a value taken on purpose and not used (a destructured field left out, a
      // callback's unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `import type` for what only types use: erased by tsc, so a type never drags a module
      // (and its side effects) into a file at run time.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  {
    // Tests read documents of no declared type (parsed YAML and JSON answers, OpenAPI output) and
    // stand stubs in for typed dependencies: `any` there is the honest type, and casting through
    // unknown at each property read would say nothing more.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The browser pages (web/): browser globals instead of Node's; the Vite config runs in Node.
    files: ['web/**/*.{ts,tsx,js,mjs}'],
    ignores: ['web/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  prettier,
);
