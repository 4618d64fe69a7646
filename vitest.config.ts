import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // One Asterisk, one Stasis app name: end-to-end files run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default'],
  },
});
