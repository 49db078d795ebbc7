import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Timeouts only catch a hang: no assertion depends on speed, and a test that starts
    // worker threads or child processes takes several times longer on a shared 2-core
    // machine than alone.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native addons (better-sqlite3, hnswlib) and worker threads are happiest in forked processes.
    pool: 'forks',
  },
});
