#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ by `npm run build` (run by `npm install` at the repository root).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = fileURLToPath(new URL("../dist/autowright.js", import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write("autowright: the CLI is not built; run `npm run build` at the repository root\n");
  process.exit(1);
}
await import(bundle);
