import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: the end-to-end suites start real brokers, ptys and Chromium.
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
