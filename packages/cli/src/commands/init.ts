/** `autowright init <dir>`: register a project and scaffold `.autowright/`. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { relative, resolve } from "node:path";
import { AppError } from "@autowright/protocol";
import { defaultProjectName, resolvedFuturePath, setUpProject } from "@autowright/server/project-setup";
import { hasSpec } from "@autowright/store";
import { type GlobalOptions, withRegistry } from "../context.ts";
import type { CliIo } from "../io.ts";

/** Options of `init`. */
export interface InitOptions extends GlobalOptions {
  readonly name?: string;
  readonly spec?: string;
}

/** Reads a spec file the user passed, refusing a missing or empty one. */
export function readSpecFile(argument: string, io: CliIo): string {
  const path = resolve(io.cwd, argument);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new AppError("not_found", `no such spec file: ${path}`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new AppError("invalid_input", `the spec file is empty: ${path}`);
  return text;
}

/** Runs `init`. */
export function initCommand(directory: string, options: InitOptions, io: CliIo): void {
  const requested = resolve(io.cwd, directory);
  if (existsSync(requested) && !statSync(requested).isDirectory()) {
    throw new AppError("directory_not_found", `not a directory: ${requested}`);
  }
  const specText = options.spec === undefined ? undefined : readSpecFile(options.spec, io);
  const root = resolvedFuturePath(requested);
  const name = defaultProjectName(root, options.name);

  withRegistry(options, io, (registry) => {
    const { paths, scaffold, created, createdRepository } = setUpProject(registry, {
      name,
      root,
      ...(specText === undefined ? {} : { specText }),
    });

    const relativeSpec = relative(root, paths.specFile);
    const specLine = hasSpec(paths)
      ? `${relativeSpec}${scaffold.createdSpec && specText !== undefined ? " (from your spec file)" : ""}`
      : `${relativeSpec} (still the template: write your spec there, or run init again with --spec FILE)`;
    io.stdout(
      [
        `${created ? "Initialized" : "Re-initialized"} autowright project ${name} in ${root}`,
        `  database  ${relative(root, paths.database)}`,
        `  app spec  ${specLine}`,
        `  prompts   ${relative(root, paths.promptsDirectory)}/{initializer,coding,testing}.md (yours to adapt)`,
        `  git       ${createdRepository ? "initialized a new repository" : "existing repository"}`,
        hasSpec(paths)
          ? `Next: \`autowright run ${root}\` (the initializer agent turns the spec into a backlog), or import one with \`autowright features import ${root} FILE.json\`.`
          : `Next: write the spec, then \`autowright run ${root}\`; or import a backlog with \`autowright features import ${root} FILE.json\`.`,
        "",
      ].join("\n"),
    );
  });
}
