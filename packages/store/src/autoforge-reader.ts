/**
 * Reads an AutoForge (or AutoCoder) project: its `features.db` and its prompts. The database is copied to a
 * temporary directory and opened read-only there, so the original is never touched (not even its WAL files).
 * Old AutoForge databases lack some columns (in_progress, dependencies, needs_human_input); each is optional.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  AppError,
  type Feature,
  type HumanInput,
  humanInputRequestSchema,
  humanInputResponseSchema,
} from "@autowright/protocol";
import Database from "better-sqlite3";

/** Where AutoForge keeps its files, in the order it looks for them. */
export const autoforgeLayouts = [".autoforge", ".autocoder", "."] as const;

/** What was found in an AutoForge project. */
export interface AutoforgeProject {
  readonly databasePath: string;
  readonly layout: (typeof autoforgeLayouts)[number];
  readonly features: Feature[];
  /** The app spec file, when there is one. */
  readonly specFile: string | undefined;
  /** Other prompt files (initializer, coding, testing…), copied for reference only. */
  readonly promptFiles: string[];
  /** Things the user should know: repaired data, interrupted features. */
  readonly warnings: string[];
  readonly counts: { passing: number; interrupted: number; needsInput: number; total: number };
}

/** Finds the AutoForge database of a project directory, or undefined. */
export function findAutoforgeDatabase(
  root: string,
): { path: string; layout: (typeof autoforgeLayouts)[number] } | undefined {
  for (const layout of autoforgeLayouts) {
    const path = join(root, layout, "features.db");
    if (existsSync(path) && statSync(path).isFile()) return { path, layout };
  }
  return undefined;
}

/** Reads an AutoForge project. Throws `not_an_autoforge_project` when the folder has no AutoForge database. */
export function readAutoforgeProject(root: string, options: { now: Date }): AutoforgeProject {
  const found = findAutoforgeDatabase(root);
  if (found === undefined) {
    throw new AppError(
      "not_an_autoforge_project",
      `${root} has no AutoForge database (looked for .autoforge/features.db, .autocoder/features.db and features.db)`,
    );
  }
  const copyDirectory = mkdtempSync(join(tmpdir(), "autowright-autoforge-"));
  try {
    for (const suffix of ["", "-wal", "-shm"]) {
      if (existsSync(found.path + suffix))
        copyFileSync(found.path + suffix, join(copyDirectory, `features.db${suffix}`));
    }
    let database: Database.Database;
    try {
      database = new Database(join(copyDirectory, "features.db"), { fileMustExist: true });
      database.pragma("query_only = ON");
    } catch (error) {
      throw new AppError(
        "not_an_autoforge_project",
        `${found.path} is not a readable SQLite database: ${String(error)}`,
      );
    }
    try {
      const result = readFeatures(database, found.path, options.now);
      const prompts = findPrompts(root, found.layout);
      return { databasePath: found.path, layout: found.layout, ...result, ...prompts };
    } finally {
      database.close();
    }
  } finally {
    rmSync(copyDirectory, { recursive: true, force: true });
  }
}

function readFeatures(
  database: Database.Database,
  databasePath: string,
  now: Date,
): Pick<AutoforgeProject, "features" | "warnings" | "counts"> {
  let columns: Set<string>;
  try {
    columns = new Set(
      (database.prepare("PRAGMA table_info(features)").all() as { name: string }[]).map(
        (column) => column.name,
      ),
    );
  } catch (error) {
    throw new AppError("not_an_autoforge_project", `${databasePath} cannot be read: ${String(error)}`);
  }
  for (const required of ["id", "name"]) {
    if (!columns.has(required)) {
      throw new AppError(
        "not_an_autoforge_project",
        `${databasePath} has no AutoForge features table (no ${required} column)`,
      );
    }
  }
  const optional = (column: string, fallback: string): string =>
    columns.has(column) ? column : `${fallback} AS ${column}`;
  const rows = database
    .prepare(
      `SELECT id, name, ${[
        optional("priority", "999"),
        optional("category", "''"),
        optional("description", "''"),
        optional("steps", "'[]'"),
        optional("passes", "0"),
        optional("in_progress", "0"),
        optional("dependencies", "NULL"),
        optional("needs_human_input", "0"),
        optional("human_input_request", "NULL"),
        optional("human_input_response", "NULL"),
      ].join(", ")} FROM features ORDER BY id`,
    )
    .all() as AutoforgeRow[];

  const at = now.toISOString();
  const warnings: string[] = [];
  const counts = { passing: 0, interrupted: 0, needsInput: 0, total: rows.length };
  const features = rows.map((row): Feature => {
    const id = Number(row.id);
    const steps = parseJsonList(row.steps, (value): value is string => typeof value === "string");
    if (steps === undefined)
      warnings.push(`feature ${id}: its steps were not a JSON list of strings; imported without steps`);
    const dependencies = parseJsonList(
      row.dependencies,
      (value): value is number => Number.isInteger(value) && Number(value) > 0,
    );
    if (dependencies === undefined) {
      warnings.push(
        `feature ${id}: its dependencies were not a JSON list of ids; imported without dependencies`,
      );
    }
    const humanInput = parseHumanInput(row, id, warnings);
    const base = {
      id,
      priority: Number.isInteger(Number(row.priority)) ? Number(row.priority) : 999,
      category: String(row.category ?? "").slice(0, 100),
      name:
        String(row.name ?? "")
          .trim()
          .slice(0, 255) || `Feature ${id}`,
      description: String(row.description ?? ""),
      steps: steps ?? [],
      dependencies: [...new Set(dependencies ?? [])],
      attempts: 0,
      lease: null,
      verify: [],
      humanInput,
      unverified: false,
      createdAt: at,
      updatedAt: at,
    };
    if (truthy(row.passes)) {
      counts.passing += 1;
      return {
        ...base,
        status: "passing",
        lastError: null,
        evidence: [
          { kind: "import", note: "marked passing in AutoForge before the import; not re-verified", at },
        ],
      };
    }
    if (truthy(row.needs_human_input) && humanInput !== null) {
      counts.needsInput += 1;
      return { ...base, status: "needs_input", lastError: null, evidence: [] };
    }
    if (truthy(row.in_progress)) {
      counts.interrupted += 1;
      return {
        ...base,
        status: "pending",
        lastError: "interrupted: the feature was in progress in AutoForge when it was imported",
        evidence: [],
      };
    }
    return { ...base, status: "pending", lastError: null, evidence: [] };
  });
  return { features, warnings, counts };
}

interface AutoforgeRow {
  id: number;
  name: unknown;
  priority: unknown;
  category: unknown;
  description: unknown;
  steps: unknown;
  passes: unknown;
  in_progress: unknown;
  dependencies: unknown;
  needs_human_input: unknown;
  human_input_request: unknown;
  human_input_response: unknown;
}

function truthy(value: unknown): boolean {
  return value === 1 || value === true || value === "1" || value === "true";
}

function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return Symbol.for("invalid");
  }
}

function parseJsonList<T>(value: unknown, isItem: (item: unknown) => item is T): T[] | undefined {
  if (value === null || value === undefined || value === "") return [];
  const parsed = parseJson(value);
  if (parsed === null) return [];
  if (!Array.isArray(parsed) || !parsed.every(isItem)) return undefined;
  return parsed;
}

function parseHumanInput(row: AutoforgeRow, id: number, warnings: string[]): HumanInput | null {
  if (row.human_input_request === null || row.human_input_request === undefined) return null;
  const raw = parseJson(row.human_input_request);
  const request = humanInputRequestSchema.safeParse(raw);
  const rawResponse = parseJson(row.human_input_response);
  let response: HumanInput["response"] = null;
  if (typeof rawResponse === "object" && rawResponse !== null) {
    const { responded_at: respondedAt, fields } = rawResponse as { responded_at?: unknown; fields?: unknown };
    const parsed = humanInputResponseSchema.safeParse({ fields, respondedAt });
    if (parsed.success) response = parsed.data;
    else warnings.push(`feature ${id}: its human-input answer could not be read and was dropped`);
  }
  if (request.success) return { request: request.data, response };
  const prompt =
    typeof raw === "object" && raw !== null && typeof (raw as { prompt?: unknown }).prompt === "string"
      ? (raw as { prompt: string }).prompt
      : "";
  warnings.push(`feature ${id}: its human-input form could not be read; only the question was kept`);
  return { request: { prompt: prompt || "Input was requested in AutoForge", fields: [] }, response };
}

function findPrompts(
  root: string,
  layout: (typeof autoforgeLayouts)[number],
): Pick<AutoforgeProject, "specFile" | "promptFiles"> {
  const directories = [
    join(root, layout, "prompts"),
    join(root, ".autoforge", "prompts"),
    join(root, ".autocoder", "prompts"),
    join(root, "prompts"),
  ];
  const seen = new Set<string>();
  let specFile: string | undefined;
  const promptFiles: string[] = [];
  for (const directory of directories) {
    if (seen.has(directory) || !existsSync(directory) || !statSync(directory).isDirectory()) continue;
    seen.add(directory);
    for (const file of readdirSync(directory).sort()) {
      const path = join(directory, file);
      if (!statSync(path).isFile() || file.startsWith(".")) continue;
      if (file === "app_spec.txt" || file === "app_spec.md") specFile ??= path;
      else if (!promptFiles.some((known) => basename(known) === file)) promptFiles.push(path);
    }
  }
  const rootSpec = join(root, "app_spec.txt");
  if (specFile === undefined && existsSync(rootSpec)) specFile = rootSpec;
  return { specFile, promptFiles };
}
