/**
 * The dunning policy (docs/dunning.md): read it, save a new version, and preview a template
 * as the outbox would send it. The policy decides what every debtor is told and when: saving
 * it needs the policy scope (an admin, or a key made for it), never the accounting server's write key.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { PolicyDocument } from "../../dunning/policy-schema.js";
import type { PreviewRequest, TemplatePreview } from "../../dunning/preview.js";
import { previewTemplate } from "../../service/index.js";
import { AnyObject, OpenRecord } from "../schemas.js";

export interface PolicyPort {
  policy(): PolicyDocument;
  /** Validates (DuegateError PolicyInvalid/TemplateInvalid with the path) and saves a new version. */
  setPolicy(policy: unknown, savedBy?: string): Promise<unknown>;
  preview(req: PreviewRequest): TemplatePreview;
}

const Preview = Type.Object(
  {
    template: Type.String({ maxLength: 2000, description: "template text with {{variables}}" }),
    locale: Type.Optional(Type.String({ maxLength: 20, description: "e.g. de-DE; default: the gateway's" })),
  },
  { additionalProperties: false },
);
const PreviewAnswer = OpenRecord(
  {
    text: Type.Union([Type.String(), Type.Null()], { description: "null while the template is invalid" }),
    parts: Type.Optional(Type.Integer({ description: "SMS parts the text takes" })),
    encoding: Type.Optional(Type.String()),
    errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
      description: "why the template cannot be rendered (empty when it can)",
    }),
  },
  "the text as it would be sent, its parts, encoding and cost, or what is wrong with the template",
);

export const policyRoutes: FastifyPluginAsync<{ services: { dunning: PolicyPort } }> = async (app, { services }) => {
  app.get("/policy", {
    config: { scope: "read" },
    schema: {
      tags: ["policy"],
      summary: "The dunning policy in force: steps, templates, send times",
      response: { 200: AnyObject("the policy document (docs/dunning.md)") },
    },
    handler: async () => services.dunning.policy(),
  });

  app.put("/policy", {
    config: { scope: "policy" },
    schema: {
      tags: ["policy"],
      summary: "Save a new version of the policy; a refusal names the field of the first problem",
      body: AnyObject("the policy document (docs/dunning.md); checked in full by the dunning engine"),
      response: { 200: AnyObject("the saved version: its number, who saved it and when, and the policy") },
    },
    handler: async (request) => services.dunning.setPolicy(request.body, request.principal?.name ?? "api"),
  });

  // A preview changes nothing: a viewer may try wording too.
  app.post("/preview", {
    config: { scope: "read" },
    schema: {
      tags: ["policy"],
      summary: "Render a template with sample values: the text, its parts, encoding and cost",
      body: Preview,
      response: { 200: PreviewAnswer },
    },
    handler: async (request) => previewTemplate(services.dunning, request.body as Static<typeof Preview>),
  });
};
