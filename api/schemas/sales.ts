import { z } from 'zod';
import { slaSchema } from '../../catalog/schema';
import { email, id } from './common';

export const createLeadBody = z.strictObject({
  company: z.string().max(200).trim().min(1),
  contactName: z.string().max(200).trim().min(1).optional(),
  email: email.optional(),
  phone: z.string().max(40).trim().min(3).optional(),
  source: z.string().max(100).trim().min(1).optional(),
});
export type CreateLeadBody = z.infer<typeof createLeadBody>;
export const convertLeadBody = z.strictObject({
  accountId: id,
  opportunityName: z.string().max(200).trim().min(1).optional(),
});
export type ConvertLeadBody = z.infer<typeof convertLeadBody>;
export const leadResponse = z.looseObject({
  id: z.string(),
  company: z.string(),
  state: z.string(),
  opportunityId: z.string().nullable(),
});
export const opportunityResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  leadId: z.string().nullable(),
  name: z.string(),
  state: z.string(),
});

export const createAgreementBody = z.strictObject({
  accountId: id,
  name: z.string().max(200).trim().min(1).default('Sales agreement'),
  maxDiscountPct: z.number().min(0).max(100),
  slas: z.array(slaSchema).min(1).max(50),
  /** First day of the term; today when absent. */
  startsOn: z.iso.date().optional(),
  /** Last day of the term (inclusive); or give `durationMonths`; 12 months when neither. */
  endsOn: z.iso.date().optional(),
  durationMonths: z.number().int().min(1).max(120).optional(),
  /** The discount a quote line under the agreement gets when it names none; at most `maxDiscountPct`. */
  defaultDiscountPct: z.number().min(0).max(100).default(0),
  /** The catalog version (price list) the agreement applies to; the current one when absent. */
  priceList: z.string().trim().min(1).max(100).optional(),
});
export type CreateAgreementBody = z.infer<typeof createAgreementBody>;
export const agreementResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  maxDiscountPct: z.number(),
  defaultDiscountPct: z.number(),
  startsOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  catalogVersion: z.string().nullable(),
  /** Whether today is within the term: quotes may be made under it. */
  effective: z.boolean(),
  slas: z.array(slaSchema),
});
export const agreementsResponse = z.object({ agreements: z.array(agreementResponse) });
