import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@caldera/source'] },
  ssr: { resolve: { conditions: ['@caldera/source'] } },
  test: {
    name: '@caldera/onnx',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
