/** `autowright features import|list|ready`: the backlog from the command line. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { analyzeBacklog, toReadyReport } from "@autowright/domain";
import {
  AppError,
  type Feature,
  type FeatureImportEntry,
  featureImportEntrySchema,
  formatZodError,
  type TestCommand,
} from "@autowright/protocol";
import { ProjectStore } from "@autowright/store";
import { type GlobalOptions, projectRoot, withRegistry } from "../context.ts";
import type { CliIo } from "../io.ts";

function withProjectStore<T>(root: string, action: (store: ProjectStore) => T): T {
  const store = ProjectStore.open(root);
  try {
    return action(store);
  } finally {
    store.close();
  }
}

/** Reads and validates an import file; every problem names its entry. */
export function readImportFile(argument: string, io: CliIo): FeatureImportEntry[] {
  const path = resolve(io.cwd, argument);
  if (!existsSync(path) || !statSync(path).isFile()) throw new AppError("not_found", `no such file: ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new AppError("invalid_json", `${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) {
    throw new AppError(
      "invalid_input",
      `${path} must hold a JSON array of features, e.g. [{"name": "Login"}]`,
    );
  }
  if (parsed.length === 0) throw new AppError("invalid_input", `${path} holds no features`);
  const problems: string[] = [];
  const entries: FeatureImportEntry[] = [];
  parsed.forEach((raw: unknown, index) => {
    const result = featureImportEntrySchema.safeParse(raw);
    if (result.success) {
      entries.push(result.data);
      return;
    }
    const name =
      typeof raw === "object" && raw !== null && typeof (raw as { name?: unknown }).name === "string"
        ? ` (${JSON.stringify((raw as { name: string }).name)})`
        : "";
    problems.push(`entry ${index}${name}: ${formatZodError(result.error)}`);
  });
  if (problems.length > 0) {
    throw new AppError(
      "invalid_input",
      `the import was rejected, nothing was changed: ${problems.join("; ")}`,
      {
        details: { problems },
      },
    );
  }
  return entries;
}

/** Runs `features import`. */
export function importFeaturesCommand(
  directory: string,
  file: string,
  options: GlobalOptions,
  io: CliIo,
): void {
  const root = projectRoot(directory, options, io);
  const entries = readImportFile(file, io);
  const settings = withRegistry(options, io, (registry) => registry.getSettings());
  const created = withProjectStore(root, (store) =>
    store.importFeatures(entries, { maxDependenciesPerFeature: settings.maxDependenciesPerFeature }),
  );
  const first = created[0]?.id;
  const last = created.at(-1)?.id;
  const withDependencies = created.filter((feature) => feature.dependencies.length > 0).length;
  io.stdout(
    `Imported ${created.length} feature${created.length === 1 ? "" : "s"} (ids ${first}–${last}, ${withDependencies} with dependencies) into ${root}\n`,
  );
}

/** Runs `features list`. */
export function listFeaturesCommand(
  directory: string,
  options: GlobalOptions & { json?: boolean },
  io: CliIo,
): void {
  const root = projectRoot(directory, options, io);
  const { features, testCommand } = withProjectStore(root, (store) => ({
    features: store.listFeatures(),
    testCommand: store.getTestCommand(),
  }));
  if (options.json === true) {
    io.stdout(`${JSON.stringify(features, null, 2)}\n`);
    return;
  }
  io.stdout(`${formatFeatureList(root, features, testCommand)}\n`);
}

/** What `features list` prints without `--json`: the table (or why there is none) and the test command. */
export function formatFeatureList(
  root: string,
  features: readonly Feature[],
  testCommand: TestCommand | null,
): string {
  const body =
    features.length === 0
      ? `The backlog of ${root} is empty. Import one with \`autowright features import ${root} FILE.json\`.`
      : formatTable(features);
  const unverified = features.filter((feature) => feature.status === "passing" && feature.unverified).length;
  const lines = [body, "", describeTestCommand(testCommand)];
  if (unverified > 0) {
    lines.push(
      `${unverified} passing feature${unverified === 1 ? "" : "s"} passed without a check (unverified: allowUncheckedPass was on)`,
    );
  }
  return lines.join("\n");
}

function describeTestCommand(testCommand: TestCommand | null): string {
  return testCommand === null
    ? "test command: none recorded (detected from the project's files when a run verifies a feature)"
    : `test command: ${testCommand.command} (recorded ${testCommand.recordedAt})`;
}

/** A feature's status as the table shows it: a pass without a check says so. */
function statusLabel(feature: Feature): string {
  return feature.status === "passing" && feature.unverified ? "passing (unverified)" : feature.status;
}

function formatTable(features: readonly Feature[]): string {
  const header = ["ID", "STATUS", "PRIORITY", "CATEGORY", "NAME", "DEPENDS ON"];
  const rows = features.map((feature) => [
    String(feature.id),
    statusLabel(feature),
    String(feature.priority),
    feature.category,
    feature.name,
    feature.dependencies.join(", "),
  ]);
  const widths = header.map((title, column) =>
    Math.min(column === 4 ? 60 : 30, Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0))),
  );
  const format = (row: string[]): string =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? cell.length;
        const clipped = cell.length > width ? `${cell.slice(0, width - 1)}…` : cell;
        return clipped.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [format(header), ...rows.map(format)].join("\n");
}

/** Runs `features ready`. */
export function readyFeaturesCommand(
  directory: string,
  options: GlobalOptions & { json?: boolean },
  io: CliIo,
): void {
  const root = projectRoot(directory, options, io);
  const settings = withRegistry(options, io, (registry) => registry.getSettings());
  const features = withProjectStore(root, (store) => store.listFeatures());
  const report = toReadyReport(
    analyzeBacklog(features, { maxAttempts: settings.maxAttempts, now: Date.now() }),
  );
  if (options.json === true) {
    io.stdout(`${JSON.stringify(report)}\n`);
    return;
  }
  const names = new Map(features.map((feature) => [feature.id, feature.name]));
  const label = (id: number): string => (names.has(id) ? `#${id} ${names.get(id)}` : `#${id} (missing)`);
  const lines = [`Ready (${report.ready.length}), in scheduling order:`];
  lines.push(...report.ready.map((id) => `  ${label(id)}`));
  lines.push(`Blocked (${report.blocked.length}):`);
  lines.push(
    ...report.blocked.map(
      (entry) => `  ${label(entry.id)}  waiting for ${entry.blockedBy.map((id) => `#${id}`).join(", ")}`,
    ),
  );
  if (report.stalled.length > 0) {
    lines.push(`Stalled (${report.stalled.length}), cannot progress without you:`);
    lines.push(...report.stalled.map((entry) => `  ${label(entry.id)}  ${stallExplanations[entry.reason]}`));
  }
  if (report.cycles.length > 0) {
    lines.push(`Dependency cycles (${report.cycles.length}):`);
    lines.push(
      ...report.cycles.map((cycle) => `  ${cycle.map((id) => `#${id}`).join(", ")} depend on each other`),
    );
  }
  io.stdout(`${lines.join("\n")}\n`);
}

const stallExplanations = {
  cycle: "is in, or depends on, a dependency cycle",
  missing_dependency: "depends on a feature that does not exist",
  dependency_failed: "depends on a feature that failed",
  waiting_for_input: "is waiting for a person's answer",
} as const;
