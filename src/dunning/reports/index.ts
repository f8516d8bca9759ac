export {
  aging,
  agingOf,
  onTimeRate,
  dso,
  bucketOf,
  AGING_BUCKETS,
  type AgingRow,
  type AgingBucket,
  type OnTimeRate,
  type DsoRow,
} from "./receivables.js";
export { stepEffectiveness, type StepEffectiveness } from "./effectiveness.js";
export { partsAndCost, evidence, evidenceCsv, type UsageRow, type EvidencePack } from "./messages.js";
export { Reports, type ReportsDeps, type ReportPeriod } from "./service.js";
