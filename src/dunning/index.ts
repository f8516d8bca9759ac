export { DunningEngine, type DunningEngineDeps, type EvaluationReport, type DunningConfig } from "./engine.js";
export { DEFAULT_POLICY } from "./default-policy.js";
export {
  checkPolicy,
  PolicySchema,
  type PolicyDocument,
  type PolicyStep,
  type PolicyVersion,
} from "./policy-schema.js";
export { TEMPLATE_VARIABLES, VARIABLE_DESCRIPTIONS, unknownVariables } from "./template-variables.js";
export { formatMoney, formatDate } from "./templates.js";
export type { PlannedReminder, ForecastQuery, ForecastPage } from "./forecast.js";
export type { PreviewRequest, TemplatePreview } from "./preview.js";
export type { StepRecord } from "./step-memory.js";
export * from "./reports/index.js";
