/**
 * @autowright/protocol: every wire shape of autowright as a zod schema with its inferred type. Browser-safe: it
 * imports only zod. Parse with these at every process boundary; trust the parsed value inside.
 */

export type {
  BacklogToolInput,
  BacklogToolName,
  FeatureAddDependencyInput,
  FeatureClaimInput,
  FeatureCreateBulkEntry,
  FeatureCreateBulkInput,
  FeatureCreateInput,
  FeatureGetBlockedInput,
  FeatureGetByIdInput,
  FeatureGetGraphInput,
  FeatureGetReadyInput,
  FeatureGetStatsInput,
  FeatureMarkFailingInput,
  FeatureReadyForVerificationInput,
  FeatureRemoveDependencyInput,
  FeatureRequestHumanInputInput,
  FeatureSetDependenciesInput,
  FeatureSkipInput,
  ProjectSetTestCommandInput,
} from "./backlog-tools.ts";
export {
  backlogToolDescriptions,
  backlogToolInputSchemas,
  backlogToolNameSchema,
  backlogToolNames,
  featureAddDependencyInputSchema,
  featureClaimInputSchema,
  featureCreateBulkEntrySchema,
  featureCreateBulkInputSchema,
  featureCreateInputSchema,
  featureGetBlockedInputSchema,
  featureGetByIdInputSchema,
  featureGetGraphInputSchema,
  featureGetReadyInputSchema,
  featureGetStatsInputSchema,
  featureMarkFailingInputSchema,
  featureReadyForVerificationInputSchema,
  featureRemoveDependencyInputSchema,
  featureRequestHumanInputInputSchema,
  featureSetDependenciesInputSchema,
  featureSkipInputSchema,
  projectSetTestCommandInputSchema,
} from "./backlog-tools.ts";
export * from "./chats.ts";
export type {
  BrowserSubscribeMessage,
  BrowserUnsubscribeMessage,
  ClientMessage,
  ClientMessageType,
  PingMessage,
  SubscribeMessage,
} from "./client-messages.ts";
export {
  browserSubscribeMessageSchema,
  browserUnsubscribeMessageSchema,
  clientMessageIdSchema,
  clientMessageSchema,
  pingMessageSchema,
  subscribeMessageSchema,
} from "./client-messages.ts";
export type { ProjectName, SessionId, Timestamp, Usage } from "./common.ts";
export { projectNameSchema, sessionIdSchema, timestampSchema, usageSchema } from "./common.ts";
export * from "./devserver.ts";
export type { ErrorBody, ErrorCode, ErrorPayload } from "./errors.ts";
export {
  AppError,
  errorBodySchema,
  errorCodeSchema,
  errorCodes,
  errorPayloadSchema,
  formatZodError,
  isInternalErrorCode,
} from "./errors.ts";
export type {
  AgentEndedData,
  AgentSnapshot,
  AgentStartedData,
  AgentUpdatedData,
  BrowserScreenshotData,
  DecisionSnapshot,
  DevServerLogAppendedData,
  DevServerStatus,
  DevServerUpdatedData,
  DurableEvent,
  DurableEventType,
  EphemeralEvent,
  EphemeralEventType,
  ErrorEventData,
  EventData,
  FeatureChangedData,
  FeatureDeletedData,
  HelloData,
  LogAppendedData,
  LogSource,
  OrchestratorDecidedData,
  OrchestratorDecisionKind,
  OrchestratorState,
  OrchestratorUpdatedData,
  PongData,
  ProgressUpdatedData,
  ProjectUpdatedData,
  RunStatus,
  RunUpdatedData,
  ServerEvent,
  ServerEventOf,
  ServerEventType,
  Snapshot,
  TestCommand,
} from "./events.ts";
export {
  agentEndedDataSchema,
  agentSnapshotSchema,
  agentStartedDataSchema,
  agentUpdatedDataSchema,
  browserScreenshotDataSchema,
  decisionSnapshotSchema,
  devServerLogAppendedDataSchema,
  devServerStatusSchema,
  devServerUpdatedDataSchema,
  durableEventTypes,
  ephemeralEventTypes,
  errorEventDataSchema,
  eventDataSchemas,
  eventSeqSchema,
  featureChangedDataSchema,
  featureDeletedDataSchema,
  helloDataSchema,
  isDurableEventType,
  logAppendedDataSchema,
  logSourceSchema,
  orchestratorDecidedDataSchema,
  orchestratorDecisionKindSchema,
  orchestratorStateSchema,
  orchestratorUpdatedDataSchema,
  pongDataSchema,
  progressUpdatedDataSchema,
  projectUpdatedDataSchema,
  protocolVersion,
  runStatusSchema,
  runUpdatedDataSchema,
  serverEventSchema,
  snapshotDecisionLimit,
  snapshotSchema,
  testCommandSchema,
} from "./events.ts";
export type {
  Evidence,
  Feature,
  FeatureDraft,
  FeatureId,
  FeatureImportEntry,
  FeatureStatus,
  HumanInput,
  HumanInputField,
  HumanInputRequest,
  HumanInputResponse,
  Lease,
  Progress,
  ReadyReport,
  StallReason,
} from "./feature.ts";
export {
  evidenceSchema,
  featureDraftSchema,
  featureIdSchema,
  featureImportEntrySchema,
  featureImportFileSchema,
  featureSchema,
  featureStatuses,
  featureStatusSchema,
  humanInputFieldSchema,
  humanInputRequestSchema,
  humanInputResponseSchema,
  humanInputSchema,
  leaseSchema,
  progressSchema,
  readyReportSchema,
  stallReasonSchema,
} from "./feature.ts";
export type { LiveState } from "./live-state.ts";
export { applyEvent, emptySnapshot, initialLiveState } from "./live-state.ts";
export * from "./notifications.ts";
export type { ModelPrice, TokenCounts } from "./prices.ts";
export { costOf, modelPriceSchema, modelPrices, priceOf } from "./prices.ts";
export type { AgentRole, IsolationMode, Project, Provider, Settings, SettingsPatch } from "./project.ts";
export {
  agentRoleSchema,
  concurrencyCeiling,
  isolationModeSchema,
  projectSchema,
  providerSchema,
  settingsPatchSchema,
  settingsSchema,
} from "./project.ts";
export type { ProviderDescription } from "./providers.ts";
export {
  defaultModel,
  modelOfRole,
  modelsOfRun,
  providerCredentialNames,
  providerTable,
  unpricedModels,
} from "./providers.ts";
export * from "./rest.ts";
export * from "./schedules.ts";
export * from "./server-file.ts";
export type {
  AgentId,
  AgentMascotName,
  AgentState,
  LogLevel,
  OrchestratedRole,
  SessionOutcome,
  SessionRecord,
} from "./session.ts";
export {
  agentIdSchema,
  agentMascotNameSchema,
  agentMascotNames,
  agentStateSchema,
  agentStates,
  logLevelSchema,
  orchestratedRoleSchema,
  sessionOutcomeSchema,
  sessionOutcomes,
  sessionRecordSchema,
} from "./session.ts";
export type { SpawnerAnswer } from "./spawner.ts";
export { spawnerAnswerSchema } from "./spawner.ts";
export * from "./terminal.ts";
export type {
  BacklogCallResult,
  WorkerAgentStateFrame,
  WorkerAuthFailedFrame,
  WorkerBacklogCallFrame,
  WorkerCancelFrame,
  WorkerEndedFrame,
  WorkerFrameDirection,
  WorkerFrameParseResult,
  WorkerHeartbeatFrame,
  WorkerInboundFrame,
  WorkerLimits,
  WorkerLogFrame,
  WorkerOutboundFrame,
  WorkerOutboundFrameOf,
  WorkerRateLimitedFrame,
  WorkerReadyFrame,
  WorkerStartFrame,
  WorkerTextFrame,
  WorkerToolCalledFrame,
  WorkerToolEndedFrame,
  WorkerToolResultFrame,
  WorkerUsageFrame,
} from "./worker-frames.ts";
export {
  parseWorkerFrame,
  serializeWorkerFrame,
  toolCallIdSchema,
  workerInboundFrameSchema,
  workerLimitsSchema,
  workerOutboundFrameSchema,
  workerProtocolVersion,
} from "./worker-frames.ts";
