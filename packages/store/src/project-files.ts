/**
 * The files of `.autowright/` besides the database: the app spec (scaffolded as a template that is recognisably
 * a template, so a project whose spec was never written is not mistaken for one that has a spec) and the
 * `.gitignore` that keeps runtime files out of the user's repository.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { ProjectPaths } from "./paths.ts";

/** The first line of the scaffolded spec. While the spec still has it, the project has no spec. */
export const specTemplateMarker = "<!-- autowright:template";

/** The app spec template written by `autowright init` without `--spec`. */
export const specTemplate = `${specTemplateMarker} — this file is still the template: replace it with your app's specification. -->
# App specification

Describe the application you want built. The initializer agent reads this file and turns it into a backlog of
features with acceptance steps and dependencies. Delete the first line (the template marker) when you are done.

## Overview
What the app is for and who uses it.

## Technology
Languages, frameworks, database, how it is run and tested (for example: \`npm test\`).

## Features
- The things a user can do, one per line, as precisely as you can.

## Constraints
Anything the agents must respect: style, accessibility, performance, what not to touch.
`;

const gitignore = `# autowright runtime files (the spec and prompts are meant to be committed)
*.db
*.db-wal
*.db-shm
worktrees/
logs/
tmp/
`;

/** What {@link scaffoldProjectFiles} created. */
export interface ScaffoldResult {
  readonly createdSpec: boolean;
  readonly createdGitignore: boolean;
}

/**
 * Creates `.autowright/`, `prompts/` and the `.gitignore`, and writes the spec: `specText` when given (replacing
 * the file), else the template when no spec exists yet. Never overwrites a spec the user wrote unless asked to.
 */
export function scaffoldProjectFiles(paths: ProjectPaths, options: { specText?: string }): ScaffoldResult {
  mkdirSync(paths.promptsDirectory, { recursive: true });
  const createdGitignore = !existsSync(paths.gitignore);
  if (createdGitignore) writeFileSync(paths.gitignore, gitignore);
  let createdSpec = false;
  if (options.specText !== undefined) {
    writeFileSync(
      paths.specFile,
      options.specText.endsWith("\n") ? options.specText : `${options.specText}\n`,
    );
    createdSpec = true;
  } else if (!existsSync(paths.specFile)) {
    writeFileSync(paths.specFile, specTemplate);
    createdSpec = true;
  }
  return { createdSpec, createdGitignore };
}

/** True when the project has a real spec: the file exists, is not empty and is no longer the template. */
export function hasSpec(paths: ProjectPaths): boolean {
  if (!existsSync(paths.specFile)) return false;
  const text = readFileSync(paths.specFile, "utf8");
  return text.trim() !== "" && !text.includes(specTemplateMarker);
}
