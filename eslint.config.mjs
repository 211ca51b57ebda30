// ESLint for the TypeScript sources (`npm run lint`, run by `npm test` in the unit suite):
// type-only imports written as such, no promise left floating, and no line over 120 characters.
// Formatting itself is prettier's (.prettierrc.json, `npm run format`).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.tsbuild/**', 'test/**', 'client/out/**', '**/*.mjs', '**/*.cjs', '**/*.js'] },
  {
    files: ['grammar/src/**/*.ts', 'server/**/*.ts', 'client/src/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      // Strings, templates, comments and regular expressions may run longer: a message or a
      // pattern reads better whole than cut. Code lines wrap at 120 (prettier's printWidth).
      'max-len': ['error', { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true, ignoreRegExpLiterals: true, ignoreUrls: true }],
    },
  },
);
