/** Number-level consent: the suppression list the outbox enforces for every send (docs/security.md, "Consent"). */
export { SuppressionList, type SuppressionListDeps } from "./suppression-list.js";
export { consentNumber } from "./number.js";
export {
  describeSource,
  type ConsentSource,
  type NumberConsentChange,
  type SuppressionChange,
  type SuppressionRecord,
  type SuppressionResult,
} from "./types.js";
