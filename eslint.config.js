// @ts-check
// `npm run lint`: ESLint with typescript-eslint's strict, type-checked rules over every TypeScript file.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'bench/out/', '.local-data/', '**/*.mjs', '**/*.cjs', 'eslint.config.js', 'functions/http/grpc-web/gen/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Template literals print numbers and booleans on purpose (messages, test names).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `(resolve) => server.close(() => resolve())` is how node's callback APIs are wrapped here.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // A `let` read by a callback before its one assignment (a server created before its handler) stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `const { a: _a, ...rest } = x` is how a member is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests read untyped JSON bodies (`res.body.details`) and assert on them; `any` there is the point.
    // The bench reads IPC reports and autocannon's untyped results the same way.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // It calls `item?.state?.S` unnecessary where tsc (noUncheckedIndexedAccess) requires it.
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests remove variables from a copy of the environment by name.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // node:test's describe/test return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] }] }],
    },
  },
);
