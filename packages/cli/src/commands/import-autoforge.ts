/** `autowright import-autoforge <dir>`: turn an AutoForge or AutoCoder project into an autowright project. */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { scaffoldPrompts } from "@autowright/agent-runtime";
import { analyzeBacklog } from "@autowright/domain";
import { AppError } from "@autowright/protocol";
import { ProjectStore, projectPaths, readAutoforgeProject, scaffoldProjectFiles } from "@autowright/store";
import { existingDirectory, type GlobalOptions, withRegistry } from "../context.ts";
import { initializeGitRepository, isGitRepository } from "../git.ts";
import type { CliIo } from "../io.ts";
import { assertRegistrable, defaultProjectName } from "./init.ts";

/** Options of `import-autoforge`. */
export interface ImportAutoforgeOptions extends GlobalOptions {
  readonly name?: string;
}

/** Runs `import-autoforge`. Everything is read and checked before anything is written. */
export function importAutoforgeCommand(directory: string, options: ImportAutoforgeOptions, io: CliIo): void {
  const root = existingDirectory(directory, io);
  const now = new Date();
  const source = readAutoforgeProject(root, { now });
  const name = defaultProjectName(root, options.name);
  const paths = projectPaths(root);
  if (existsSync(paths.database)) {
    const store = ProjectStore.open(root);
    const count = store.countFeatures();
    store.close();
    if (count > 0) {
      throw new AppError(
        "conflict",
        `${root} is already an autowright project with ${count} features; nothing was imported`,
      );
    }
  }

  withRegistry(options, io, (registry) => {
    assertRegistrable(registry, name, root);
    const settings = registry.getSettings();

    scaffoldProjectFiles(
      paths,
      source.specFile === undefined ? {} : { specText: readFileSync(source.specFile, "utf8") },
    );
    scaffoldPrompts(paths.promptsDirectory);
    const referenceDirectory = join(paths.promptsDirectory, "autoforge");
    if (source.promptFiles.length > 0) {
      mkdirSync(referenceDirectory, { recursive: true });
      for (const file of source.promptFiles) copyFileSync(file, join(referenceDirectory, basename(file)));
    }
    const store = ProjectStore.open(root, { create: true });
    try {
      store.insertFeaturesVerbatim(source.features);
    } finally {
      store.close();
    }
    if (!isGitRepository(root)) initializeGitRepository(root);
    registry.registerProject({ name, path: root });

    const analysis = analyzeBacklog(source.features, {
      maxAttempts: settings.maxAttempts,
      now: now.getTime(),
    });
    const known = new Set(source.features.map((feature) => feature.id));
    const missing = source.features.flatMap((feature) =>
      feature.dependencies.filter((id) => !known.has(id)).map((id) => `#${feature.id} → #${id}`),
    );
    const { counts } = source;
    const lines = [
      `Imported AutoForge project ${name} from ${relative(root, source.databasePath)} into ${relative(root, paths.database)}`,
      `  ${counts.total} features: ${counts.passing} passing, ${counts.interrupted} interrupted (now pending), ${counts.needsInput} waiting for input, ${counts.total - counts.passing - counts.interrupted - counts.needsInput} pending`,
      `  app spec: ${source.specFile === undefined ? `none found (write one in ${relative(root, paths.specFile)})` : `${relative(root, source.specFile)} → ${relative(root, paths.specFile)}`}`,
    ];
    if (source.promptFiles.length > 0) {
      lines.push(
        `  ${source.promptFiles.length} AutoForge prompts kept for reference in ${relative(root, referenceDirectory)}`,
      );
    }
    if (analysis.cycles.length > 0) {
      lines.push(
        `  warning: ${analysis.cycles.length} dependency cycle${analysis.cycles.length === 1 ? "" : "s"} kept as imported: ${analysis.cycles.map((cycle) => cycle.map((id) => `#${id}`).join(", ")).join("; ")}`,
      );
    }
    if (missing.length > 0)
      lines.push(`  warning: dependencies on missing features kept as imported: ${missing.join(", ")}`);
    for (const warning of source.warnings) lines.push(`  warning: ${warning}`);
    if (analysis.stalled.length > 0) {
      lines.push(
        `  ${analysis.stalled.length} features cannot progress until fixed: see \`autowright features ready ${root}\``,
      );
    }
    lines.push(
      `The AutoForge files (${relative(root, source.databasePath)} and its prompts) were left untouched.`,
      "",
    );
    io.stdout(lines.join("\n"));
  });
}
