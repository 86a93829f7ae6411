import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          include: ["packages/*/src/**/*.test.ts", "e2e/**/*.test.ts", "tooling/**/*.test.ts"],
          exclude: ["packages/ui/**", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        plugins: [react()],
        test: {
          name: "ui",
          include: ["packages/ui/src/**/*.test.ts", "packages/ui/src/**/*.test.tsx"],
          environment: "jsdom",
          setupFiles: ["packages/ui/src/test-setup.ts"],
        },
      },
    ],
  },
});
