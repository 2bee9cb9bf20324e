/** Pieces every resource's schemas share: IDs, refs, the error body, a quote member or amendment site. */
import { z } from 'zod';

export const id = z.string().trim().min(1).max(100);
export const ref = z.string().trim().min(1).max(50);
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
  name: z.string().trim().min(1).max(200),
  address: z.string().trim().min(1).max(500).optional(),
});
