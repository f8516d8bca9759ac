import { balanceKeyword } from "./balance.js";
import { disputeKeyword } from "./dispute.js";
import { helpKeyword } from "./help.js";
import { paidKeyword } from "./paid.js";
import { promiseKeyword } from "./promise.js";
import { startKeyword } from "./start.js";
import { stopKeyword } from "./stop.js";
import { unknownKeyword } from "./unknown.js";
import type { KeywordDefinition } from "./context.js";

/** Every keyword, STOP first: when words collide, opting out wins. */
export const KEYWORDS: readonly KeywordDefinition[] = [
  stopKeyword,
  startKeyword,
  helpKeyword,
  balanceKeyword,
  paidKeyword,
  promiseKeyword,
  disputeKeyword,
];
export { unknownKeyword };
export type { KeywordContext, KeywordDefinition, KeywordOutcome, KeywordSettings, ReplyDraft } from "./context.js";
