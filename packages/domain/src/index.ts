/**
 * @autowright/domain: the pure backlog logic of autowright. Status transitions, dependency validation,
 * scheduling (ready order, blocked, stall analysis, batches) and progress counts. No I/O, no clock, no randomness:
 * time comes in as milliseconds.
 */

export type { DependencyChangesInput, DependencyViolation, DependencyViolationCode } from "./dependencies.ts";
export { assertDependencyChanges, formatCycle, validateDependencyChanges } from "./dependencies.ts";
export type { AdjacencyGraph, ComponentGrouping, StronglyConnectedComponents } from "./graph.ts";
export { buildAdjacencyGraph, condense, groupByComponent, stronglyConnectedComponents } from "./graph.ts";
export type { CivilDate, ScheduleWindow, WindowSchedule } from "./schedule-windows.ts";
export {
  activeWindow,
  activeWindows,
  addDays,
  civilDateAt,
  nextWindowStart,
  weekdayOf,
  windowsBetween,
  zonedInstant,
} from "./schedule-windows.ts";
export type {
  BacklogAnalysis,
  BatchOptions,
  ProgressFeature,
  SchedulingFeature,
  SchedulingOptions,
  SchedulingScore,
} from "./scheduling.ts";
export {
  analyzeBacklog,
  buildBatches,
  compareScores,
  computeProgress,
  isLeaseActive,
  isStalled,
  toReadyReport,
} from "./scheduling.ts";
export {
  assertTransition,
  canTransition,
  countsAsFailed,
  statusAfterFailure,
  statusTransitions,
} from "./statuses.ts";
