/** `autowright import-autoforge <dir>`: turn an AutoForge or AutoCoder project into an autowright project. */
import { relative } from "node:path";
import { defaultProjectName, importAutoforgeProject } from "@autowright/server/project-setup";
import { existingDirectory, type GlobalOptions, withRegistry } from "../context.ts";
import type { CliIo } from "../io.ts";

/** Options of `import-autoforge`. */
export interface ImportAutoforgeOptions extends GlobalOptions {
  readonly name?: string;
}

/** Runs `import-autoforge`. Everything is read and checked before anything is written. */
export function importAutoforgeCommand(directory: string, options: ImportAutoforgeOptions, io: CliIo): void {
  const root = existingDirectory(directory, io);
  const name = defaultProjectName(root, options.name);
  withRegistry(options, io, (registry) => {
    const {
      paths,
      source,
      analysis,
      missingDependencies: missing,
      referenceDirectory,
    } = importAutoforgeProject(registry, { name, root });
    const { counts } = source;
    const lines = [
      `Imported AutoForge project ${name} from ${relative(root, source.databasePath)} into ${relative(root, paths.database)}`,
      `  ${counts.total} features: ${counts.passing} passing, ${counts.interrupted} interrupted (now pending), ${counts.needsInput} waiting for input, ${counts.total - counts.passing - counts.interrupted - counts.needsInput} pending`,
      `  app spec: ${source.specFile === undefined ? `none found (write one in ${relative(root, paths.specFile)})` : `${relative(root, source.specFile)} → ${relative(root, paths.specFile)}`}`,
    ];
    if (referenceDirectory !== undefined) {
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
