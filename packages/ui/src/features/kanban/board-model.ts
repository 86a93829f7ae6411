/**
 * What the board is made of, derived from the store's features and agents: the columns, which agent works on which
 * card, what blocks a card, and the colour of a category. Pure, so the board and its tests share it.
 */
import type { AgentSnapshot, Feature, FeatureStatus } from "@autowright/protocol";

/** A column of the board. */
export type ColumnId = "pending" | "in_progress" | "verifying" | "needs_input" | "failed" | "done";

/** The columns in board order, with the badge tone of each. */
export const boardColumns: readonly {
  readonly id: ColumnId;
  readonly label: string;
  readonly tone: "pending" | "progress" | "verifying" | "input" | "failed" | "done";
}[] = [
  { id: "pending", label: "Pending", tone: "pending" },
  { id: "in_progress", label: "In progress", tone: "progress" },
  { id: "verifying", label: "Verifying", tone: "verifying" },
  { id: "needs_input", label: "Needs input", tone: "input" },
  { id: "failed", label: "Failed", tone: "failed" },
  { id: "done", label: "Done", tone: "done" },
];

/**
 * The column of a status. `regressed` goes to Pending (with a "regressed" badge on the card): the scheduler queues
 * a regressed feature again like a pending one, and the progress counts (`computeProgress`) count it as pending, so
 * the column's count agrees with the progress card. Failed is for what a person has to act on.
 */
export function columnOf(status: FeatureStatus): ColumnId {
  switch (status) {
    case "pending":
    case "regressed":
      return "pending";
    case "passing":
      return "done";
    default:
      return status;
  }
}

/** The features of each column, in the order the column shows them. */
export type BoardColumns = Readonly<Record<ColumnId, readonly Feature[]>>;

/**
 * Groups the features into columns. Every column is in queue order (priority, then id), which is what the
 * scheduler follows and what reordering edits; Done shows the latest passes first, where a new one lands.
 */
export function groupIntoColumns(features: Iterable<Feature>): BoardColumns {
  const columns: Record<ColumnId, Feature[]> = {
    pending: [],
    in_progress: [],
    verifying: [],
    needs_input: [],
    failed: [],
    done: [],
  };
  for (const feature of features) columns[columnOf(feature.status)].push(feature);
  const byQueue = (left: Feature, right: Feature) => left.priority - right.priority || left.id - right.id;
  for (const id of ["pending", "in_progress", "verifying", "needs_input", "failed"] as const)
    columns[id].sort(byQueue);
  columns.done.sort(
    (left, right) =>
      (left.updatedAt < right.updatedAt ? 1 : left.updatedAt > right.updatedAt ? -1 : 0) ||
      byQueue(left, right),
  );
  return columns;
}

/** The dependencies of `feature` that do not pass (or do not exist): what blocks it. */
export function blockingDependencies(feature: Feature, features: ReadonlyMap<number, Feature>): number[] {
  if (feature.status === "passing") return [];
  return feature.dependencies.filter((id) => features.get(id)?.status !== "passing");
}

/** The running agent of each feature id (the first one that lists it). */
export function agentsByFeature(agents: readonly AgentSnapshot[]): ReadonlyMap<number, AgentSnapshot> {
  const byFeature = new Map<number, AgentSnapshot>();
  for (const agent of agents)
    for (const id of agent.featureIds) if (!byFeature.has(id)) byFeature.set(id, agent);
  return byFeature;
}

/** How many category tones kanban.css defines. */
export const categoryToneCount = 8;

/** A stable tone (0…7) for a category name: the same name has the same colour on every screen and every load. */
export function categoryTone(category: string): number {
  let hash = 2166136261;
  for (let index = 0; index < category.length; index++) {
    hash ^= category.charCodeAt(index);
    hash = Math.imul(hash, 16777619);
  }
  return (hash >>> 0) % categoryToneCount;
}

/** True when `feature` matches a search: `#12`, or words found in its name, category or description. */
export function matchesSearch(feature: Feature, search: string): boolean {
  const query = search.trim().toLowerCase();
  if (query === "") return true;
  const id = /^#?(\d+)$/.exec(query)?.[1];
  if (id !== undefined && feature.id === Number(id)) return true;
  const text = `${feature.name} ${feature.category} ${feature.description}`.toLowerCase();
  return query.split(/\s+/).every((word) => text.includes(word));
}

/** A status in words, with its badge tone. */
export function statusBadge(status: FeatureStatus): {
  readonly label: string;
  readonly tone: "pending" | "progress" | "verifying" | "input" | "failed" | "done";
} {
  switch (status) {
    case "pending":
      return { label: "pending", tone: "pending" };
    case "in_progress":
      return { label: "in progress", tone: "progress" };
    case "verifying":
      return { label: "verifying", tone: "verifying" };
    case "needs_input":
      return { label: "needs input", tone: "input" };
    case "failed":
      return { label: "failed", tone: "failed" };
    case "regressed":
      return { label: "regressed", tone: "failed" };
    case "passing":
      return { label: "passing", tone: "done" };
  }
}
