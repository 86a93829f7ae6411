/**
 * @autowright/orchestrator: turns a backlog into merged, verified work with several agents at once. Used
 * headless by `autowright run` and, later, by the server.
 */
export type { EventListener } from "./event-bus.ts";
export { EventBus } from "./event-bus.ts";
export { gitCommandTotals } from "./git/git.ts";
export { MascotRoster } from "./mascots.ts";
export type {
  OrchestratorOptions,
  OrchestratorServices,
  OrchestratorWorkspaces,
  RunResult,
} from "./orchestrator.ts";
export { Orchestrator } from "./orchestrator.ts";
export type { CheckRunner } from "./project-checks.ts";
export { workerEnvironment } from "./run-environment.ts";
export type { SessionLogLine, SessionLogPage } from "./session-logs.ts";
export { readSessionLog, SessionLogWriter, sessionLogFile } from "./session-logs.ts";
export type { MergePort } from "./settlement.ts";
export { noCheckRan } from "./settlement.ts";
export type { CheckSandbox, RunChecksOptions, VerificationResult } from "./verifier/check-runner.ts";
export { runChecks } from "./verifier/check-runner.ts";
export { detectGateCommands, detectTestCommand } from "./verifier/command-detection.ts";
export type { WorkerPoolOptions } from "./worker-pool.ts";
export { WorkerPool } from "./worker-pool.ts";
export type { WorkerSession, WorkerSessionOptions } from "./worker-session.ts";
export { startWorkerSession } from "./worker-session.ts";
export type {
  InMemoryWorkerBehaviour,
  InMemoryWorkerEnd,
  WorkerCommand,
  WorkerTransport,
  WorkerTransportFactory,
  WorkerTransportHooks,
} from "./worker-transport.ts";
export { inMemoryWorkerTransport, stdioWorkerTransport } from "./worker-transport.ts";
