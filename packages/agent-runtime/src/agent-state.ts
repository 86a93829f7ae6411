/**
 * The agent's state comes from what it does (typed tool events), never from what it says. Reading and searching
 * is thinking, changing files is working, running commands is testing, a failing tool is struggling.
 */
import type { AgentState } from "@autowright/protocol";

const thinkingTools = new Set([
  "read_file",
  "list_files",
  "glob",
  "grep",
  "Read",
  "Glob",
  "Grep",
  "LS",
  "WebSearch",
  "WebFetch",
  "TodoWrite",
  "Task",
]);
const workingTools = new Set(["write_file", "edit_file", "Write", "Edit", "MultiEdit", "NotebookEdit"]);
const testingTools = new Set(["bash", "Bash", "BashOutput", "KillShell"]);

/** The state a tool call puts the agent in. Backlog tools count as thinking (the agent is planning). */
export function stateForTool(tool: string): AgentState {
  if (workingTools.has(tool)) return "working";
  if (testingTools.has(tool)) return "testing";
  if (thinkingTools.has(tool)) return "thinking";
  return "thinking";
}

/** A short, single-line summary of a tool input for the dashboard (`npm test`, `src/app.ts`). */
export function summarizeToolInput(input: unknown, limit = 160): string | undefined {
  if (typeof input !== "object" || input === null) return undefined;
  const record = input as Record<string, unknown>;
  for (const key of ["command", "path", "file_path", "pattern", "feature_id", "name"]) {
    const value = record[key];
    if (typeof value === "string" || typeof value === "number") {
      const text = String(value).replace(/\s+/g, " ").trim();
      return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
    }
  }
  return undefined;
}
