import { z } from 'zod';
import { email } from './common';

export const billingProfileSchema = z.strictObject({
  billingAddress: z.string().max(500).trim().min(1),
  paymentMethod: z.enum(['invoice', 'directDebit', 'card']).default('invoice'),
  billingCycle: z.enum(['monthly', 'quarterly', 'yearly']).default('monthly'),
  email: email.optional(),
  /** The exposure the credit check allows: one-off charges plus three months of recurring ones. */
  creditLimit: z.number().positive().optional(),
});

export const createAccountBody = z.strictObject({
  name: z.string().max(200).trim().min(1),
  billingProfile: billingProfileSchema.optional(),
});
export type CreateAccountBody = z.infer<typeof createAccountBody>;

export const accountResponse = z.looseObject({
  id: z.string(),
  kind: z.enum(['business', 'service']),
  name: z.string(),
  billingProfile: z.unknown(),
  serviceAccounts: z.array(
    z.looseObject({ id: z.string(), name: z.string(), parentId: z.string().nullable() }),
  ),
});
export const inventoryResponse = z.looseObject({
  accountId: z.string(),
  productInventory: z.array(
    z.looseObject({ id: z.string(), orderId: z.string(), offeringCode: z.string(), state: z.string() }),
  ),
  serviceInventory: z.array(z.unknown()),
  configurationItems: z.array(z.unknown()),
});
