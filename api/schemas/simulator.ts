import { z } from 'zod';
import { id } from './common';

export const injectFaultBody = z.strictObject({
  taskCode: z.string().max(100).trim().min(1),
  count: z.number().int().min(1).max(1000),
  /** `refuse`: a check (CREDIT_CHECK, FEASIBILITY_CHECK) answers no. */
  mode: z.enum(['error', 'timeout', 'refuse']),
  /** Only this customer's calls fail; every customer's when absent. */
  accountId: id.optional(),
});
export type InjectFaultBody = z.infer<typeof injectFaultBody>;
export const faultResponse = z.object({
  taskCode: z.string(),
  count: z.number(),
  mode: z.string(),
  accountId: z.string().nullable(),
});

export const systemParams = z.object({ system: z.string().max(100).trim().min(1) });
export const systemStatusBody = z.strictObject({ offline: z.boolean() });
export const systemStatusResponse = z.object({
  system: z.string(),
  offline: z.boolean(),
  domainOrdersWoken: z.number(),
});
