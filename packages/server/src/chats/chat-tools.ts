/**
 * The tool set of each kind of chat. This allowlist is what keeps a chat from editing code: a tool that is not
 * here does not exist for the model (a call to it comes back as an error result), whatever its prompt says. No
 * chat has a file-writing tool or a shell; the spec chat writes exactly one file, the spec, through `write_spec`.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import {
  type CommandPolicy,
  createWorkspaceTools,
  ProcessTracker,
  type Redactor,
} from "@autowright/agent-runtime";
import { createBacklogTools } from "@autowright/backlog";
import {
  askQuestionInputSchema,
  type BacklogToolName,
  backlogToolDescriptions,
  backlogToolInputSchemas,
  type ChatKind,
  type FeatureId,
  featureSkipInputSchema,
  formatZodError,
  type Settings,
  specFeatureCountLine,
  writeSpecInputSchema,
} from "@autowright/protocol";
import { specTemplateMarker } from "@autowright/store";
import type { ZodType } from "zod";
import type { ProjectContext } from "../server-context.ts";

/** The file tools every chat gets: they read the project, never change it. */
export const readOnlyFileToolNames = ["read_file", "list_files", "grep"] as const;

/** The backlog tools of each kind (the assistant's `feature_skip` is a person's skip: no lease needed). */
export const chatBacklogToolNames: Readonly<Record<ChatKind, readonly BacklogToolName[]>> = {
  spec: [],
  expand: [
    "feature_get_stats",
    "feature_get_ready",
    "feature_get_by_id",
    "feature_get_graph",
    "feature_create",
    "feature_create_bulk",
    "feature_add_dependency",
    "feature_set_dependencies",
  ],
  assistant: [
    "feature_get_stats",
    "feature_get_ready",
    "feature_get_blocked",
    "feature_get_by_id",
    "feature_get_graph",
    "feature_create",
    "feature_create_bulk",
    "feature_skip",
    "feature_add_dependency",
    "feature_remove_dependency",
    "feature_set_dependencies",
  ],
};

/** The name of the question tool (it has no implementation: calling it ends the turn until the user answers). */
export const askQuestionToolName = "ask_question";
/** The name of the spec chat's one writing tool. */
export const writeSpecToolName = "write_spec";

/** Every tool name of each kind of chat. */
export const chatToolNames: Readonly<Record<ChatKind, readonly string[]>> = {
  spec: [...readOnlyFileToolNames, askQuestionToolName, writeSpecToolName],
  expand: [...readOnlyFileToolNames, askQuestionToolName, ...chatBacklogToolNames.expand],
  assistant: [...readOnlyFileToolNames, askQuestionToolName, ...chatBacklogToolNames.assistant],
};

/** One tool: description, input schema, and an implementation (none for `ask_question`). */
export interface ChatTool {
  readonly description: string;
  readonly inputSchema: ZodType;
  readonly execute?: (input: unknown) => Promise<string>;
}

/** What the tools of one chat need. */
export interface ChatToolContext {
  readonly kind: ChatKind;
  readonly chatId: string;
  readonly project: ProjectContext;
  readonly settings: () => Settings;
  readonly redact: Redactor;
  /** Publishes on the project's bus what the store appended (the `feature.*` events of a backlog change). */
  readonly publishChanges: () => void;
  /** The spec was written (`path` relative to the project root). */
  readonly onSpecWritten: (path: string, featureCount: number) => void;
  /** Features were created. */
  readonly onFeaturesAdded: (ids: readonly FeatureId[]) => void;
  /** The most characters a file tool returns. */
  readonly maxOutputCharacters?: number;
}

const defaultMaxOutputCharacters = 30_000;

/** A policy that refuses every command: the read-only tools never run one, this only satisfies their factory. */
function refuseAllPolicy(root: string): CommandPolicy {
  return {
    projectRoot: root,
    sources: [],
    judge: () => ({ decision: "deny", reason: "chats cannot run commands" }),
  };
}

/** The tools of one chat, by name; exactly {@link chatToolNames}`[kind]`. */
export function createChatTools(context: ChatToolContext): Record<string, ChatTool> {
  const { project, kind } = context;
  const root = project.paths.root;
  const workspace = createWorkspaceTools({
    root,
    policy: refuseAllPolicy(root),
    processes: new ProcessTracker(),
    env: {},
    maxOutputBytes: context.maxOutputCharacters ?? defaultMaxOutputCharacters,
    commandTimeoutMs: 1,
    signal: AbortSignal.abort(),
  });
  const tools: Record<string, ChatTool> = {};
  for (const name of readOnlyFileToolNames) {
    const definition = workspace[name];
    tools[name] = {
      description: definition.description,
      inputSchema: definition.inputSchema,
      execute: async (input) => {
        const parsed = definition.inputSchema.safeParse(input);
        if (!parsed.success) throw new Error(`invalid input for ${name}: ${formatZodError(parsed.error)}`);
        return (definition.execute as (value: unknown) => Promise<string>)(parsed.data);
      },
    };
  }
  tools[askQuestionToolName] = {
    description:
      "Ask the user a question with options to pick from (2 to 8; multiSelect when several may apply). Your turn ends; the user's answer comes back as this tool's result.",
    inputSchema: askQuestionInputSchema,
  };
  if (kind === "spec") tools[writeSpecToolName] = writeSpecTool(context);

  const backlog = createBacklogTools({ store: project.store, settings: context.settings });
  const caller = { sessionId: `chat-${context.chatId}`, role: "chat" as const };
  for (const name of chatBacklogToolNames[kind]) {
    tools[name] = {
      description:
        name === "feature_skip"
          ? "Move a feature to the end of the queue (a failed one is queued again with fresh attempts). Refused while an agent works on it."
          : backlogToolDescriptions[name],
      inputSchema: backlogToolInputSchemas[name],
      execute: async (input) => {
        let result: unknown;
        try {
          if (name === "feature_skip") {
            const parsed = featureSkipInputSchema.safeParse(input);
            if (!parsed.success)
              throw new Error(`invalid input for feature_skip: ${formatZodError(parsed.error)}`);
            const feature = project.store.skipFeature(parsed.data.feature_id);
            result = { id: feature.id, name: feature.name, newPriority: feature.priority };
          } else {
            const answer = backlog.call(name, input, caller);
            if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.message}`);
            result = answer.result;
          }
        } finally {
          context.publishChanges();
        }
        const created = createdIds(name, result);
        if (created.length > 0) context.onFeaturesAdded(created);
        return JSON.stringify(result);
      },
    };
  }
  return tools;
}

/** The ids of the features a backlog tool's result says it created. */
function createdIds(name: BacklogToolName, result: unknown): FeatureId[] {
  if (typeof result !== "object" || result === null) return [];
  if (name === "feature_create") {
    const feature = (result as { feature?: { id?: unknown } }).feature;
    return typeof feature?.id === "number" ? [feature.id] : [];
  }
  if (name === "feature_create_bulk") {
    const ids = (result as { ids?: unknown }).ids;
    return Array.isArray(ids) ? ids.filter((id): id is number => typeof id === "number") : [];
  }
  return [];
}

function writeSpecTool(context: ChatToolContext): ChatTool {
  const { paths } = context.project;
  return {
    description:
      "Write the finished app specification (Markdown) to .autowright/prompts/app-spec.md, with the number of features the initializer should create. Call it once, after the user approved the spec.",
    inputSchema: writeSpecInputSchema,
    execute: async (input) => {
      const parsed = writeSpecInputSchema.safeParse(input);
      if (!parsed.success) throw new Error(`invalid input for write_spec: ${formatZodError(parsed.error)}`);
      const { content, featureCount } = parsed.data;
      const text = [
        content
          .split("\n")
          .filter((line) => !line.includes(specTemplateMarker))
          .join("\n")
          .trim(),
        "",
        "## Target feature count",
        "",
        `The initializer creates about ${featureCount} features from this specification.`,
        specFeatureCountLine(featureCount),
        "",
      ].join("\n");
      writeFileAtomically(paths.specFile, text);
      const shown = relative(paths.root, paths.specFile);
      context.onSpecWritten(shown, featureCount);
      return `wrote ${shown} (${Buffer.byteLength(text)} bytes, target ${featureCount} features)`;
    },
  };
}

/** Writes `path` through a temporary file and a rename, so a reader never sees half a file. */
export function writeFileAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
