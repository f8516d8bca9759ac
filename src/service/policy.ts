/** The dunning policy's preview for the editor and the send page: an invalid template is an answer, not a failure. */
import { ErrorCode, isDuegateError } from "../core/errors.js";
import type { PreviewRequest, TemplatePreview } from "../dunning/preview.js";

export type PreviewAnswer =
  (TemplatePreview & { errors: [] }) | { text: null; errors: Array<{ field: string; message: string }> };

export function previewTemplate(
  dunning: { preview(req: PreviewRequest): TemplatePreview },
  req: { template: string; locale?: string },
): PreviewAnswer {
  try {
    return {
      ...dunning.preview({ template: req.template, ...(req.locale ? { locale: req.locale } : {}) }),
      errors: [],
    };
  } catch (e) {
    // While typing, a template is often invalid for a moment.
    if (isDuegateError(e, ErrorCode.TemplateInvalid) || isDuegateError(e, ErrorCode.Validation))
      return { text: null, errors: [{ field: "template", message: e.message }] };
    throw e;
  }
}
