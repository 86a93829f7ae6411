// Bundles the CLI (and everything it imports from the workspace) into packages/cli/dist/autowright.js.
// Native modules stay external: they are the published package's runtime dependencies.

import { readFileSync } from "node:fs";
import { build } from "esbuild";

const cliPackage = JSON.parse(readFileSync(new URL("../packages/cli/package.json", import.meta.url), "utf8"));

await build({
  entryPoints: [new URL("../packages/cli/src/main.ts", import.meta.url).pathname],
  outfile: new URL("../packages/cli/dist/autowright.js", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  external: Object.keys(cliPackage.dependencies ?? {}),
  define: { AUTOWRIGHT_VERSION: JSON.stringify(cliPackage.version) },
  banner: {
    js: "import { createRequire as __autowrightCreateRequire } from 'node:module'; const require = __autowrightCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
