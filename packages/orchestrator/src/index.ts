/**
 * @autowright/orchestrator: turns a backlog into merged, verified work with several agents at once. Used
 * headless by `autowright run` and, later, by the server.
 */
export type { EventListener } from "./event-bus.ts";
export { EventBus } from "./event-bus.ts";
export { MascotRoster } from "./mascots.ts";
export type { OrchestratorOptions, RunResult } from "./orchestrator.ts";
export { Orchestrator } from "./orchestrator.ts";
export type { WorkerPoolOptions } from "./worker-pool.ts";
export { WorkerPool } from "./worker-pool.ts";
export type { WorkerCommand, WorkerSession, WorkerSessionOptions } from "./worker-session.ts";
export { startWorkerSession } from "./worker-session.ts";
