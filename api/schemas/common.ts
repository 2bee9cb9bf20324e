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
/**
 * An e-mail address (HTML's grammar: a local part, `@`, dot-separated host labels that neither start nor
 * end with `-`). A regex rather than `z.email()`, so the document's `pattern` is exactly what is checked.
 */
export const email = z
  .string()
  .max(254)
  .regex(
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/,
    'an e-mail address (name@host.domain)',
  );
export const timestamp = z.string().nullable();

/** Text PostgreSQL can store (api/input-guards.ts refuses the rest first; this says so in the document). */
// eslint-disable-next-line no-control-regex -- the NUL character is the point
const storableText = z.string().regex(/^[^\u0000]*$/);
/**
 * Any JSON value whose text (strings and property names, at any depth) PostgreSQL can store: the free-form
 * `data` of a task or fall-out. One component of the document (`JsonValueInput`), referred to by each.
 */
export const jsonValue: z.ZodType<unknown> = z
  .lazy(() =>
    z.union([
      z.null(),
      z.boolean(),
      z.number(),
      storableText,
      z.array(jsonValue),
      z.record(storableText, jsonValue),
    ]),
  )
  .meta({ id: 'JsonValue' });
export const freeFormData = z.record(storableText, jsonValue);

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
