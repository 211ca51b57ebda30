import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/vm/.cache/**', 'test/e2e/out/**'],
    testTimeout: 30000,
  },
});
