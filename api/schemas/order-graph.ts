import { z } from 'zod';

export const orderGraphQuery = z.strictObject({
  /** `auto` collapses orders above 50 sub-orders to one card per sub-order; `full` and `subOrders` force. */
  view: z.enum(['auto', 'full', 'subOrders']).default('auto'),
});

export const orderGraphResponse = z
  .string()
  .describe('Mermaid flowchart text (text/plain), or SVG with `Accept: image/svg+xml`');
