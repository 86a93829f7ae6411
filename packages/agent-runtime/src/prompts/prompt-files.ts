/** Prompt files on disk: scaffolded into `.autowright/prompts/`, read from there when present. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type PromptRole, promptFileNames, promptTemplates } from "./templates.ts";

/** Writes the built-in prompts that are missing from `directory`; returns the files written. */
export function scaffoldPrompts(directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  for (const [role, file] of Object.entries(promptFileNames) as [PromptRole, string][]) {
    const path = join(directory, file);
    if (existsSync(path)) continue;
    writeFileSync(path, promptTemplates[role]);
    written.push(path);
  }
  return written;
}

/** The prompt template of a role: the project's file when it has one, else the built-in one. */
export function loadPromptTemplate(directory: string, role: PromptRole): string {
  const path = join(directory, promptFileNames[role]);
  return existsSync(path) ? readFileSync(path, "utf8") : promptTemplates[role];
}
