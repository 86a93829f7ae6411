/**
 * @autowright/protocol: every wire shape of autowright as a zod schema with its inferred type. Browser-safe: it
 * imports only zod. Parse with these at every process boundary; trust the parsed value inside.
 */

export type { ProjectName, SessionId, Timestamp, Usage } from "./common.ts";
export { projectNameSchema, sessionIdSchema, timestampSchema, usageSchema } from "./common.ts";
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
