/**
 * The tools of the built-in tool loop: files, search and shell, all confined to the session's working tree.
 * Each tool returns text for the model; a refusal or failure throws an Error whose message tells the model what
 * to do instead.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { z } from "zod";
import type { CommandPolicy } from "../policy/command-policy.ts";
import type { ProcessTracker } from "../process-tracker.ts";
import { sandboxedCommand } from "../sandbox.ts";
import { resolveInside, resolveWritableInside } from "./confinement.ts";

/** What the tools need to know about the session. */
export interface WorkspaceToolContext {
  readonly root: string;
  readonly policy: CommandPolicy;
  readonly processes: ProcessTracker;
  readonly env: NodeJS.ProcessEnv;
  readonly maxOutputBytes: number;
  readonly commandTimeoutMs: number;
  readonly signal: AbortSignal;
  /** bubblewrap's path when commands run in the OS sandbox. */
  readonly sandbox?: { readonly bwrap: string; readonly writable: readonly string[] } | undefined;
}

/** One tool: its description, input schema and implementation. */
export interface WorkspaceTool<Input> {
  readonly description: string;
  readonly inputSchema: z.ZodType<Input>;
  readonly execute: (input: Input) => Promise<string>;
}

const ignoredDirectories = new Set(["node_modules", ".git", ".autowright", "dist", "coverage"]);
const maxListedFiles = 500;
const maxGrepMatches = 200;

function clip(text: string, limit: number): string {
  return text.length > limit
    ? `${text.slice(0, limit)}\n… [cut at ${limit} characters of ${text.length}]`
    : text;
}

function* walk(directory: string): Generator<string> {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!ignoredDirectories.has(entry.name)) yield* walk(join(directory, entry.name));
    } else if (entry.isFile()) {
      yield join(directory, entry.name);
    }
  }
}

/** Converts a glob (`**`, `*`, `?`, `{a,b}`) to an anchored regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let pattern = "";
  let braces = 0;
  for (let index = 0; index < glob.length; index += 1) {
    const character = glob[index] ?? "";
    if (character === "*" && glob[index + 1] === "*") {
      pattern += glob[index + 2] === "/" ? "(?:.*/)?" : ".*";
      index += glob[index + 2] === "/" ? 2 : 1;
    } else if (character === "*") pattern += "[^/]*";
    else if (character === "?") pattern += "[^/]";
    else if (character === "{") {
      braces += 1;
      pattern += "(?:";
    } else if (character === "}" && braces > 0) {
      braces -= 1;
      pattern += ")";
    } else if (character === "," && braces > 0) pattern += "|";
    else pattern += character.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${pattern}$`);
}

/** Builds the workspace tools of one session. */
export function createWorkspaceTools(context: WorkspaceToolContext) {
  const limit = context.maxOutputBytes;
  const display = (path: string): string => relative(context.root, path) || ".";

  const readFile: WorkspaceTool<{ path: string; offset?: number | undefined; limit?: number | undefined }> = {
    description: "Read a text file of the working tree. Optional 1-based line offset and line limit.",
    inputSchema: z.object({
      path: z.string().min(1),
      offset: z.number().int().positive().optional(),
      limit: z.number().int().positive().optional(),
    }),
    execute: async ({ path, offset, limit: lineLimit }) => {
      const file = resolveInside(context.root, path);
      const lines = readFileSync(file, "utf8").split("\n");
      const start = (offset ?? 1) - 1;
      const selected = lines.slice(start, lineLimit === undefined ? undefined : start + lineLimit);
      return clip(selected.join("\n"), limit);
    },
  };

  const writeFile: WorkspaceTool<{ path: string; content: string }> = {
    description: "Create or replace a file of the working tree (parent folders are created).",
    inputSchema: z.object({ path: z.string().min(1), content: z.string() }),
    execute: async ({ path, content }) => {
      const file = resolveWritableInside(context.root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return `wrote ${display(file)} (${Buffer.byteLength(content)} bytes)`;
    },
  };

  const editFile: WorkspaceTool<{
    path: string;
    old_text: string;
    new_text: string;
    replace_all?: boolean | undefined;
  }> = {
    description:
      "Replace exact text in a file. old_text must occur exactly once unless replace_all is true; read the file first.",
    inputSchema: z.object({
      path: z.string().min(1),
      old_text: z.string().min(1),
      new_text: z.string(),
      replace_all: z.boolean().optional(),
    }),
    execute: async ({ path, old_text: oldText, new_text: newText, replace_all: replaceAll }) => {
      const file = resolveWritableInside(context.root, path);
      const text = readFileSync(file, "utf8");
      const occurrences = text.split(oldText).length - 1;
      if (occurrences === 0)
        throw new Error(
          `old_text was not found in ${display(file)}; read the file and copy the text exactly`,
        );
      if (occurrences > 1 && replaceAll !== true) {
        throw new Error(
          `old_text occurs ${occurrences} times in ${display(file)}; add context to make it unique or set replace_all`,
        );
      }
      writeFileSync(
        file,
        replaceAll === true ? text.split(oldText).join(newText) : text.replace(oldText, () => newText),
      );
      return `edited ${display(file)} (${replaceAll === true ? occurrences : 1} replacement${occurrences > 1 && replaceAll === true ? "s" : ""})`;
    },
  };

  const listFiles: WorkspaceTool<{ path?: string | undefined; pattern?: string | undefined }> = {
    description:
      "List files under a folder of the working tree (default: all), optionally matching a glob like src/**/*.ts.",
    inputSchema: z.object({ path: z.string().optional(), pattern: z.string().optional() }),
    execute: async ({ path, pattern }) => {
      const directory = resolveInside(context.root, path ?? ".");
      if (!statSync(directory).isDirectory()) throw new Error(`${display(directory)} is not a folder`);
      const matcher = pattern === undefined ? undefined : globToRegExp(pattern);
      const files: string[] = [];
      for (const file of walk(directory)) {
        const shown = relative(context.root, file);
        if (matcher !== undefined && !matcher.test(shown) && !matcher.test(relative(directory, file)))
          continue;
        files.push(shown);
        if (files.length >= maxListedFiles) break;
      }
      files.sort();
      const suffix = files.length >= maxListedFiles ? `\n… (first ${maxListedFiles} files)` : "";
      return files.length === 0 ? "no files" : `${files.join("\n")}${suffix}`;
    },
  };

  const grep: WorkspaceTool<{
    pattern: string;
    path?: string | undefined;
    glob?: string | undefined;
    ignore_case?: boolean | undefined;
  }> = {
    description:
      "Search file contents of the working tree with a regular expression; prints path:line: text.",
    inputSchema: z.object({
      pattern: z.string().min(1),
      path: z.string().optional(),
      glob: z.string().optional(),
      ignore_case: z.boolean().optional(),
    }),
    execute: async ({ pattern, path, glob, ignore_case: ignoreCase }) => {
      let expression: RegExp;
      try {
        expression = new RegExp(pattern, ignoreCase === true ? "i" : "");
      } catch (error) {
        throw new Error(`invalid regular expression: ${(error as Error).message}`);
      }
      const start = resolveInside(context.root, path ?? ".");
      const matcher = glob === undefined ? undefined : globToRegExp(glob);
      const matches: string[] = [];
      const files = statSync(start).isDirectory() ? walk(start) : [start];
      for (const file of files) {
        const shown = relative(context.root, file);
        if (matcher !== undefined && !matcher.test(shown)) continue;
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          continue;
        }
        if (text.includes("\u0000")) continue;
        text.split("\n").forEach((line, index) => {
          if (matches.length < maxGrepMatches && expression.test(line))
            matches.push(`${shown}:${index + 1}: ${line.slice(0, 300)}`);
        });
        if (matches.length >= maxGrepMatches) break;
      }
      return matches.length === 0 ? "no matches" : clip(matches.join("\n"), limit);
    },
  };

  const bash: WorkspaceTool<{ command: string; timeout_ms?: number | undefined }> = {
    description:
      "Run a shell command in the working tree (bash). Commands are checked by the project's command policy; a denial says why and what to do instead.",
    inputSchema: z.object({
      command: z.string().min(1),
      timeout_ms: z.number().int().positive().max(3_600_000).optional(),
    }),
    execute: async ({ command, timeout_ms: timeoutMs }) => {
      const decision = context.policy.judge(command, { ownedPids: context.processes.ownedPids() });
      if (decision.decision === "deny") throw new Error(`command denied: ${decision.reason}`);
      const result = await context.processes.run(command, {
        ...(context.sandbox === undefined
          ? {}
          : {
              argv: sandboxedCommand(context.sandbox.bwrap, command, context.root, context.sandbox.writable),
            }),
        cwd: context.root,
        env: context.env,
        timeoutMs: timeoutMs ?? context.commandTimeoutMs,
        maxOutputBytes: context.maxOutputBytes,
        signal: context.signal,
      });
      const status = result.timedOut
        ? `timed out after ${timeoutMs ?? context.commandTimeoutMs} ms`
        : result.signal !== null
          ? `killed by ${result.signal}`
          : `exit code ${result.exitCode}`;
      const text = `${status}\n${result.output}`.trimEnd();
      if (result.exitCode !== 0) throw new Error(text);
      return text;
    },
  };

  return {
    read_file: readFile,
    write_file: writeFile,
    edit_file: editFile,
    list_files: listFiles,
    grep,
    bash,
  };
}

/** The workspace tools of a session, by name. */
export type WorkspaceTools = ReturnType<typeof createWorkspaceTools>;
