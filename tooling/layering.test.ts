/**
 * Invariant: packages import only in the directions ARCHITECTURE.md allows; `protocol` and `domain` stay free of
 * I/O (no `node:` modules). Scans every source file's import specifiers.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packagesDirectory = fileURLToPath(new URL("../packages/", import.meta.url));

/** Which workspace packages each package may import (tests may also import the testkit). */
const allowed: Record<string, readonly string[]> = {
  protocol: [],
  domain: ["protocol"],
  store: ["protocol", "domain"],
  backlog: ["protocol", "domain", "store"],
  "scripted-model": [],
  "agent-runtime": ["protocol", "domain", "scripted-model"],
  orchestrator: ["protocol", "domain", "store", "backlog", "agent-runtime"],
  testkit: ["protocol", "domain", "scripted-model"],
  server: ["protocol", "domain", "store", "backlog", "scripted-model", "agent-runtime", "orchestrator"],
  cli: [
    "protocol",
    "domain",
    "store",
    "backlog",
    "scripted-model",
    "agent-runtime",
    "orchestrator",
    "server",
  ],
  // The dashboard runs in the browser: it shares only the wire shapes (and the live-state reducer) with the server.
  ui: ["protocol"],
};
/** Packages that must not touch the outside world (and the browser's, which has no Node modules). */
const pure = new Set(["protocol", "domain", "ui"]);
const nodeBuiltins = new Set(builtinModules);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") || path.endsWith(".tsx") ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
    ),
  ].map((match) => match[1] ?? match[2] ?? "");
}

describe("package layering", () => {
  it("knows every package", () => {
    expect(readdirSync(packagesDirectory).sort()).toEqual(Object.keys(allowed).sort());
  });

  for (const [name, dependencies] of Object.entries(allowed)) {
    it(`${name} imports only ${dependencies.length === 0 ? "no workspace package" : dependencies.join(", ")}`, () => {
      const violations: string[] = [];
      for (const file of sourceFiles(join(packagesDirectory, name, "src"))) {
        // Tests, and the fixtures only tests import (`test-*.ts`), may use the testkit.
        const isTest = /\.test\.tsx?$/.test(file) || /[/\\]test-[^/\\]+\.ts$/.test(file);
        for (const specifier of importsOf(file)) {
          const workspace = /^@autowright\/([^/]+)/.exec(specifier)?.[1];
          if (
            workspace !== undefined &&
            !dependencies.includes(workspace) &&
            !(isTest && workspace === "testkit")
          ) {
            violations.push(`${file}: ${specifier}`);
          }
          const builtin = specifier.startsWith("node:") || nodeBuiltins.has(specifier.split("/")[0] ?? "");
          if (pure.has(name) && builtin && !isTest) violations.push(`${file}: ${specifier} (no I/O here)`);
          if (
            specifier.startsWith(".") &&
            !resolve(dirname(file), specifier).startsWith(join(packagesDirectory, name))
          )
            violations.push(`${file}: ${specifier} (import the package, not its files)`);
        }
      }
      expect(violations).toEqual([]);
    });
  }

  it("finds imports the way the check needs to (the scanner can fail)", () => {
    const sample = join(packagesDirectory, "cli", "src", "cli.ts");
    expect(importsOf(sample)).toContain("@autowright/protocol");
  });
});
