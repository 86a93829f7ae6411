/**
 * Browser safety: the protocol package is bundled into the dashboard, so it may import only zod and its own
 * files. We bundle it for a neutral platform with esbuild and reject any Node builtin; a second case proves the
 * check really fails on a package that imports one.
 */
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build, type Plugin } from "esbuild";
import { describe, expect, it } from "vitest";

const srcDir = fileURLToPath(new URL(".", import.meta.url));
const entry = fileURLToPath(new URL("./index.ts", import.meta.url));
const builtins: ReadonlySet<string> = new Set(builtinModules);

function isNodeBuiltin(path: string): boolean {
  return path.startsWith("node:") || builtins.has(path);
}

/** Bundles for a neutral platform and lists every sign of a Node dependency (empty = browser-safe). */
async function findNodeDependencies(
  options: BuildOptions,
): Promise<{ problems: string[]; inputs: string[] }> {
  try {
    const result = await build({
      platform: "neutral",
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      mainFields: ["module", "main"],
      logLevel: "silent",
      absWorkingDir: srcDir,
      ...options,
    });
    const { metafile } = result;
    if (metafile === undefined) return { problems: ["esbuild returned no metafile"], inputs: [] };
    const problems: string[] = [];
    const inputs = Object.keys(metafile.inputs);
    for (const [path, input] of Object.entries(metafile.inputs)) {
      if (isNodeBuiltin(path)) problems.push(`input is a Node builtin: ${path}`);
      for (const imported of input.imports) {
        if (isNodeBuiltin(imported.path)) problems.push(`${path} imports ${imported.path}`);
      }
    }
    for (const [path, output] of Object.entries(metafile.outputs)) {
      for (const imported of output.imports) {
        if (isNodeBuiltin(imported.path)) problems.push(`${path} imports ${imported.path}`);
      }
    }
    return { problems, inputs };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { problems: [`build failed: ${message}`], inputs: [] };
  }
}

/** Marks Node builtins external, so a leak shows up in the metafile instead of failing the build. */
const externalizeBuiltins: Plugin = {
  name: "externalize-builtins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) =>
      isNodeBuiltin(args.path) ? { path: args.path, external: true } : undefined,
    );
  },
};

describe("browser safety", () => {
  it("bundles packages/protocol/src/index.ts for a neutral platform without any Node builtin", async () => {
    const { problems, inputs } = await findNodeDependencies({ entryPoints: [entry] });
    expect(problems).toEqual([]);
    // Sanity: the bundle really contains the package and zod.
    expect(inputs).toContain("index.ts");
    expect(inputs.some((path) => path.includes("node_modules/zod/"))).toBe(true);
  });

  it("flags a module that imports a Node builtin (the check can fail)", async () => {
    const stdin = {
      contents: 'import { readFileSync } from "node:fs";\nexport const read = () => readFileSync("x");\n',
      loader: "ts" as const,
      resolveDir: srcDir,
      sourcefile: "leaky.ts",
    };
    // As configured for the real check: a neutral build cannot resolve node:fs and fails.
    const failing = await findNodeDependencies({ stdin });
    expect(failing.problems).toHaveLength(1);
    expect(failing.problems[0]).toMatch(/build failed: .*node:fs/s);
    // With builtins made external the build succeeds, and the metafile imports reveal the leak.
    const leaking = await findNodeDependencies({ stdin, plugins: [externalizeBuiltins] });
    expect(leaking.problems).toContain("leaky.ts imports node:fs");
  });
});
