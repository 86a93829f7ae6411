// Bundles the CLI (and everything it imports from the workspace) into packages/cli/dist/autowright.js and the chunks
// it loads on demand (one per command).
// Native modules stay external: they are the published package's runtime dependencies.

import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { build } from "esbuild";

const cliPackage = JSON.parse(readFileSync(new URL("../packages/cli/package.json", import.meta.url), "utf8"));

const distDirectory = new URL("../packages/cli/dist", import.meta.url).pathname;

const result = await build({
  entryPoints: [new URL("../packages/cli/src/main.ts", import.meta.url).pathname],
  outdir: distDirectory,
  metafile: true,
  entryNames: "autowright",
  // Each command's code is its own chunk, loaded when the command runs: `autowright worker` (started once per
  // agent) does not parse the orchestrator or the store, and `--help` parses almost nothing.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
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

// Chunks of earlier builds are removed (not the whole folder first: a running test may be loading the bundle).
const outputs = new Set(Object.keys(result.metafile.outputs).map((path) => relative(distDirectory, path)));
const chunks = join(distDirectory, "chunks");
for (const name of readdirSync(chunks)) {
  if (!outputs.has(join("chunks", name))) rmSync(join(chunks, name), { force: true });
}

// The dashboard (packages/ui) is built by Vite into packages/cli/dist/ui, which the server serves. Skipped when
// nothing it is made of changed since the last build (the test command builds every time).
const uiRoot = new URL("../packages/ui/", import.meta.url).pathname;
const uiOutput = join(distDirectory, "ui", "index.html");
if (
  newestChange([
    join(uiRoot, "src"),
    join(uiRoot, "index.html"),
    join(uiRoot, "vite.config.ts"),
    new URL("../packages/protocol/src", import.meta.url).pathname,
  ]) > modifiedAt(uiOutput)
) {
  const { build: viteBuild } = await import("vite");
  await viteBuild({ configFile: join(uiRoot, "vite.config.ts"), logLevel: "warn" });
}

function modifiedAt(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function newestChange(paths) {
  let newest = 0;
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      continue;
    }
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path, { recursive: true })) {
        const time = modifiedAt(join(path, String(entry)));
        if (time > newest) newest = time;
      }
    } else if (stats.mtimeMs > newest) newest = stats.mtimeMs;
  }
  return newest;
}
