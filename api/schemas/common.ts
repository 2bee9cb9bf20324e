/** Pieces every resource's schemas share: IDs, refs, the error body, a quote member or amendment site. */
import { z } from 'zod';

/*
 * Text is limited before it is trimmed and must hold something after (`z.string().max(n).trim().min(1)`):
 * the document's `maxLength` then counts what the caller sends, as JSON Schema does, and its pattern says
 * "not blank" (api/document-rules.ts). Write new text fields the same way.
 */
export const id = z.string().max(100).trim().min(1);
export const ref = z.string().max(50).trim().min(1);
export const idParams = z.object({ id });
export const timestamp = z.string().nullable();

export const errorResponse = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()),
  }),
});
/** The error answers of a route that validates input, looks up an ID and checks state and business rules. */
export const errorResponses = {
  400: errorResponse,
  404: errorResponse,
  409: errorResponse,
  422: errorResponse,
};

/** A site (location) or subscriber of a quote, or a new site of an amendment. */
export const memberSchema = z.strictObject({
  ref,
  kind: z.enum(['location', 'subscriber']),
  name: z.string().max(200).trim().min(1),
  address: z.string().max(500).trim().min(1).optional(),
});
