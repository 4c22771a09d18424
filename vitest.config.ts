import { defineConfig } from 'vitest/config';

// Kernel tests run as real processes (forks), because koffi and the BPF objects they hold are per process.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
