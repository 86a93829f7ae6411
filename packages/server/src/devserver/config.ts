/**
 * A project's dev server configuration: the custom command in `.autowright/devserver.json` (written atomically,
 * meant to be committed with the project), and the command that runs (the custom one, else the detected one).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AppError,
  type DevServerConfig,
  devServerConfigFileSchema,
  formatZodError,
} from "@autowright/protocol";
import type { ProjectPaths } from "@autowright/store";
import { parseCommandLine } from "./command-line.ts";
import { detectDevCommand } from "./detect-command.ts";

/** The config file of a project. */
export function devServerConfigFile(paths: ProjectPaths): string {
  return join(paths.dataDirectory, "devserver.json");
}

/**
 * The custom command stored for the project, or null. A file that is not valid is refused with `invalid_input`
 * naming it (setting the command again replaces it).
 */
export function readCustomCommand(paths: ProjectPaths): string | null {
  const file = devServerConfigFile(paths);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new AppError("invalid_input", `cannot read ${file}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError("invalid_input", `${file} is not valid JSON: fix it, or set the dev command again`);
  }
  const parsed = devServerConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      "invalid_input",
      `${file} is not valid (${formatZodError(parsed.error)}): fix it, or set the dev command again`,
    );
  }
  const command = parsed.data.command ?? null;
  return command === null || command.trim() === "" ? null : command;
}

/**
 * Sets (a command line, validated with {@link parseCommandLine}: refused with `invalid_input`, the file unchanged)
 * or clears (null) the custom command.
 */
export function writeCustomCommand(paths: ProjectPaths, command: string | null): void {
  if (command !== null) parseCommandLine(command);
  const file = devServerConfigFile(paths);
  mkdirSync(paths.dataDirectory, { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(temporary, `${JSON.stringify({ command }, null, 2)}\n`);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The configuration as `GET .../devserver/config` shows it. */
export function devServerConfigOf(paths: ProjectPaths): DevServerConfig {
  const detection = detectDevCommand(paths.root);
  const detected = detection.argv === null ? null : [...detection.argv];
  const found =
    detection.argv === null ? { notDetectedReason: detection.reason } : { detectedFrom: detection.source };
  let command: string | null = null;
  try {
    command = readCustomCommand(paths);
    const effective = command === null ? detected : parseCommandLine(command);
    return { command, detected, ...found, effective };
  } catch (error) {
    if (!AppError.isInstance(error)) throw error;
    return { command, detected, ...found, effective: null, commandError: error.message };
  }
}

/**
 * The command `start` runs; `invalid_input` saying what to do when there is none (or the stored one is not valid).
 */
export function effectiveCommand(paths: ProjectPaths): string[] {
  const command = readCustomCommand(paths);
  if (command !== null) return parseCommandLine(command);
  const detection = detectDevCommand(paths.root);
  if (detection.argv !== null) return [...detection.argv];
  throw new AppError(
    "invalid_input",
    `there is no dev command to run: ${detection.reason}. Add a "dev" script to package.json, or set a custom command (PUT /api/projects/<name>/devserver/config)`,
  );
}
