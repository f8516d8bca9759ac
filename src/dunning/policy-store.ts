/**
 * Policy versions: every saved policy is kept with its number, time and author, so that a
 * report can say which words a reminder was sent under and an edit can be rolled back.
 * The step memory (step-memory.ts), not the version, is what keeps an edit from resending.
 */
import type { DocumentStore } from "../ledger/ports.js";
import { checkPolicy, type PolicyDocument, type PolicyVersion } from "./policy-schema.js";

export interface PolicyStoreDocument {
  schema: 1;
  versions: PolicyVersion[];
}

export const emptyPolicyStore = (): PolicyStoreDocument => ({ schema: 1, versions: [] });

const KEEP_VERSIONS = 100;

export class PolicyStore {
  constructor(private readonly doc: DocumentStore<PolicyStoreDocument>) {}

  current(): PolicyVersion | undefined {
    return this.doc.data.versions.at(-1);
  }

  versions(): Array<Omit<PolicyVersion, "policy">> {
    return this.doc.data.versions.map(({ version, savedAt, savedBy }) => ({ version, savedAt, savedBy }));
  }

  get(version: number): PolicyVersion | undefined {
    return this.doc.data.versions.find((v) => v.version === version);
  }

  /** Validates (throws DuegateError PolicyInvalid/TemplateInvalid) and stores a new version; the same policy again is no new version. */
  async save(input: unknown, savedBy: string, at: number): Promise<PolicyVersion> {
    const policy: PolicyDocument = structuredClone(checkPolicy(input));
    const cur = this.current();
    if (cur && JSON.stringify(cur.policy) === JSON.stringify(policy)) return cur;
    const v: PolicyVersion = { version: (cur?.version ?? 0) + 1, savedAt: at, savedBy, policy };
    this.doc.data.versions.push(v);
    if (this.doc.data.versions.length > KEEP_VERSIONS)
      this.doc.data.versions.splice(0, this.doc.data.versions.length - KEEP_VERSIONS);
    this.doc.markDirty();
    await this.doc.flush();
    return v;
  }
}
