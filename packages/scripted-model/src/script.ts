/**
 * The script a scripted model server plays: a list of model responses ("turns"), validated with zod, whose
 * strings may hold `{{placeholders}}` filled from a per-session variables map when the script is rendered.
 *
 * Templating, in full:
 * - `{{name}}` is replaced by `variables[name]`; `{{a.b}}` walks objects, `{{list.0}}` indexes arrays.
 * - In a string, numbers and booleans print as themselves, `null` as `null`, and arrays of such values are
 *   joined with `", "`. Objects (and arrays holding objects) cannot go into a string unless filtered.
 * - `{{name | json}}` inserts `JSON.stringify(value)`: use it to put a value into source code or JSON text.
 * - In a tool-call input, a string that is exactly one unfiltered placeholder (`"{{feature.id}}"`) is
 *   replaced by the value itself, keeping its type (a number stays a number).
 * - An unknown variable or filter is an error at render time, never left in place.
 * - Only `{{` + a dotted name (+ an optional filter) + `}}` is a placeholder; any other `{{` is plain text.
 *
 * A turn group `{ forEach: "feature", turns: [...] }` repeats its turns once per entry of the `features`
 * variable (`{id, name, slug?}[]`), with `{{feature.id}}`, `{{feature.name}}`, `{{feature.slug}}`,
 * `{{feature.index}}` (0-based) and `{{feature.number}}` (1-based) set for that feature.
 */
import { z } from "zod";

/** The HTTP statuses a scripted error turn may answer with. */
export const scriptedErrorStatuses = [429, 401, 403, 500, 529] as const;

/** A scripted failure: the request is answered with this HTTP status and the wire's error body. */
export const turnErrorSchema = z.strictObject({
  status: z.literal(scriptedErrorStatuses),
  message: z.string().optional(),
  /** Sent as the `retry-after` header (seconds). */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** ISO 8601 time the limit resets; sent as rate-limit reset headers (see the wire modules). */
  resetAt: z.string().optional(),
});
/** A scripted failure. */
export type TurnError = z.infer<typeof turnErrorSchema>;

/** One tool call the model makes. `input` is the tool's argument object. */
export const scriptToolCallSchema = z.strictObject({
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
});
/** One scripted tool call. */
export type ScriptToolCall = z.infer<typeof scriptToolCallSchema>;

/** Token counts reported for a turn; when absent the server estimates them from the text sizes. */
export const turnUsageSchema = z.strictObject({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
/** Token counts reported for a turn. */
export type TurnUsage = z.infer<typeof turnUsageSchema>;

/** One model response: text, tool calls, or an error. */
export const scriptTurnSchema = z
  .strictObject({
    /** Absent: this is what tells a turn from a turn group. */
    forEach: z.undefined().optional(),
    text: z.string().optional(),
    toolCalls: z.array(scriptToolCallSchema).optional(),
    /** Defaults to `tool_use` when the turn has tool calls, else `end_turn`. */
    stopReason: z.enum(["end_turn", "tool_use"]).optional(),
    error: turnErrorSchema.optional(),
    usage: turnUsageSchema.optional(),
  })
  .superRefine((turn, context) => {
    const hasToolCalls = (turn.toolCalls?.length ?? 0) > 0;
    if (turn.error !== undefined && (turn.text !== undefined || hasToolCalls)) {
      context.addIssue({ code: "custom", message: "an error turn has no text or tool calls" });
    }
    if (turn.error === undefined && turn.text === undefined && !hasToolCalls) {
      context.addIssue({ code: "custom", message: "a turn needs text, tool calls or an error" });
    }
    if (turn.stopReason === "tool_use" && !hasToolCalls) {
      context.addIssue({ code: "custom", message: 'stopReason "tool_use" needs at least one tool call' });
    }
  });
/** One model response as written in a script. */
export type ScriptTurn = z.infer<typeof scriptTurnSchema>;

/** Turns repeated once per feature of the `features` variable. */
export const scriptTurnGroupSchema = z.strictObject({
  forEach: z.literal("feature"),
  turns: z.array(scriptTurnSchema).min(1),
});
/** Turns repeated once per feature. */
export type ScriptTurnGroup = z.infer<typeof scriptTurnGroupSchema>;

/** A script: its entries are turns or per-feature turn groups, played in order. */
export const modelScriptSchema = z.strictObject({
  turns: z.array(z.discriminatedUnion("forEach", [scriptTurnSchema, scriptTurnGroupSchema])),
});
/** A script a scripted model server plays. */
export type ModelScript = z.infer<typeof modelScriptSchema>;

/** A value a placeholder can stand for (JSON-like). */
export type TemplateValue =
  | string
  | number
  | boolean
  | null
  | readonly TemplateValue[]
  | { readonly [key: string]: TemplateValue };

/** The variables a script is rendered with (per server, i.e. per session). */
export type ScriptVariables = Readonly<Record<string, TemplateValue>>;

/** A feature as the `features` variable lists it; `slug` is derived from the name when absent. */
export const scriptFeatureSchema = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  name: z.string(),
  slug: z.string().optional(),
});
/** A feature as the `features` variable lists it. */
export type ScriptFeature = z.infer<typeof scriptFeatureSchema>;

/** A tool call ready to send: placeholders filled in. */
export interface RenderedToolCall {
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** A turn ready to send: placeholders filled in, defaults applied. */
export interface RenderedTurn {
  readonly text: string | undefined;
  readonly toolCalls: readonly RenderedToolCall[];
  readonly stopReason: "end_turn" | "tool_use";
  readonly error: TurnError | undefined;
  readonly usage: TurnUsage | undefined;
}

/** A script that does not parse, or cannot be rendered with the given variables. */
export class ScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ScriptError";
  }
}

/** Parses an untrusted value (e.g. a JSON file's content) as a script; throws `ScriptError` with every issue. */
export function parseModelScript(value: unknown): ModelScript {
  const parsed = modelScriptSchema.safeParse(value);
  if (!parsed.success) throw new ScriptError(`invalid model script:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The variables of one agent session, in the shape the default script and most scripts expect. */
export interface SessionVariablesInput {
  readonly sessionId: string;
  readonly cwd: string;
  readonly features: readonly ScriptFeature[];
}

/**
 * Builds the standard variables: `sessionId`, `cwd`, `features` (`{id, name, slug}[]`), `featureIds`, and
 * `featureId` / `featureName` for the first feature (absent when there is none).
 */
export function sessionVariables(input: SessionVariablesInput): ScriptVariables {
  const features = input.features.map((feature) => ({
    id: feature.id,
    name: feature.name,
    slug: feature.slug ?? slugify(feature.name, feature.id),
  }));
  const first = features[0];
  return {
    sessionId: input.sessionId,
    cwd: input.cwd,
    features,
    featureIds: features.map((feature) => feature.id),
    ...(first === undefined ? {} : { featureId: first.id, featureName: first.name }),
  };
}

/** A file-name-safe slug of a feature name (lowercase ASCII words joined by `-`), or `feature-<id>`. */
export function slugify(name: string, id: number | string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 48)
    .replace(/^-+|-+$/g, "");
  return slug === "" ? `feature-${id}` : slug;
}

const placeholderPattern = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*(?:\|\s*([A-Za-z_]+)\s*)?\}\}/g;
const wholePlaceholderPattern = /^\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}$/;
const knownFilters = new Set(["json"]);

/**
 * Renders a string template: every `{{path}}` / `{{path | json}}` replaced (see the module comment).
 * `where` names the template's place in the script for error messages. Throws `ScriptError`.
 */
export function renderTemplate(template: string, variables: ScriptVariables, where = "template"): string {
  return template.replace(placeholderPattern, (_match, path: string, filter: string | undefined) => {
    const value = resolve(variables, path, filter, where);
    if (filter === "json") return JSON.stringify(value);
    return stringify(value, path, where);
  });
}

/** Renders every string inside a JSON-like value; a string that is one whole placeholder keeps the value's type. */
export function renderValue(value: unknown, variables: ScriptVariables, where = "value"): unknown {
  if (typeof value === "string") {
    const whole = wholePlaceholderPattern.exec(value);
    if (whole?.[1] !== undefined) return structuredClone(resolve(variables, whole[1], undefined, where));
    return renderTemplate(value, variables, where);
  }
  if (Array.isArray(value))
    return value.map((item, index) => renderValue(item, variables, `${where}[${index}]`));
  if (isRecord(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderValue(item, variables, `${where}.${key}`)]),
    );
  }
  return value;
}

/**
 * Expands feature groups and fills every placeholder, giving the concrete turns a server plays, in order.
 * Throws `ScriptError` on an invalid script, an unknown placeholder, or a malformed `features` variable.
 */
export function renderScript(script: ModelScript, variables: ScriptVariables = {}): RenderedTurn[] {
  const parsed = parseModelScript(script);
  const rendered: RenderedTurn[] = [];
  parsed.turns.forEach((entry, entryIndex) => {
    if (entry.forEach === "feature") {
      const features = featuresOf(variables, `turns[${entryIndex}]`);
      features.forEach((feature, featureIndex) => {
        const scope: ScriptVariables = {
          ...variables,
          feature: { ...feature, index: featureIndex, number: featureIndex + 1 },
        };
        entry.turns.forEach((turn, turnIndex) => {
          rendered.push(
            renderTurn(turn, scope, `turns[${entryIndex}].turns[${turnIndex}] (feature ${feature.id})`),
          );
        });
      });
    } else {
      rendered.push(renderTurn(entry, variables, `turns[${entryIndex}]`));
    }
  });
  return rendered;
}

function renderTurn(turn: ScriptTurn, variables: ScriptVariables, where: string): RenderedTurn {
  const toolCalls = (turn.toolCalls ?? []).map((call, index) => {
    const callWhere = `${where}.toolCalls[${index}]`;
    const input = renderValue(call.input, variables, `${callWhere}.input`);
    return {
      name: renderTemplate(call.name, variables, `${callWhere}.name`),
      input: isRecord(input) ? input : {},
    };
  });
  const error =
    turn.error === undefined
      ? undefined
      : {
          ...turn.error,
          ...(turn.error.message === undefined
            ? {}
            : { message: renderTemplate(turn.error.message, variables, `${where}.error.message`) }),
          ...(turn.error.resetAt === undefined
            ? {}
            : { resetAt: renderTemplate(turn.error.resetAt, variables, `${where}.error.resetAt`) }),
        };
  if (error?.resetAt !== undefined && Number.isNaN(Date.parse(error.resetAt))) {
    throw new ScriptError(`${where}.error.resetAt: "${error.resetAt}" is not an ISO 8601 time`);
  }
  return {
    text: turn.text === undefined ? undefined : renderTemplate(turn.text, variables, `${where}.text`),
    toolCalls,
    stopReason: turn.stopReason ?? (toolCalls.length > 0 ? "tool_use" : "end_turn"),
    error,
    usage: turn.usage,
  };
}

function featuresOf(variables: ScriptVariables, where: string): Required<ScriptFeature>[] {
  const value = variables["features"];
  if (value === undefined) {
    throw new ScriptError(`${where}: a "forEach": "feature" group needs a "features" variable`);
  }
  const parsed = z.array(scriptFeatureSchema).safeParse(value);
  if (!parsed.success) {
    throw new ScriptError(
      `${where}: the "features" variable must be a list of {id, name, slug?}:\n${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data.map((feature) => ({
    id: feature.id,
    name: feature.name,
    slug: feature.slug ?? slugify(feature.name, feature.id),
  }));
}

function resolve(
  variables: ScriptVariables,
  path: string,
  filter: string | undefined,
  where: string,
): TemplateValue {
  if (filter !== undefined && !knownFilters.has(filter)) {
    throw new ScriptError(`${where}: unknown filter "${filter}" in {{${path} | ${filter}}} (known: json)`);
  }
  let current: TemplateValue | undefined = variables;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      current = current[Number(segment)];
    } else if (isTemplateRecord(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      current = undefined;
    }
    if (current === undefined) break;
  }
  if (current === undefined) {
    const known = Object.keys(variables).sort().join(", ") || "none";
    throw new ScriptError(`${where}: unknown placeholder {{${path}}} (variables: ${known})`);
  }
  return current;
}

function stringify(value: TemplateValue, path: string, where: string): string {
  if (value === null) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((item) => item === null || typeof item !== "object")) {
    return value.map((item) => stringify(item, path, where)).join(", ");
  }
  throw new ScriptError(`${where}: {{${path}}} is an object or a list of objects; write {{${path} | json}}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isTemplateRecord(
  value: TemplateValue | undefined,
): value is { readonly [key: string]: TemplateValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
