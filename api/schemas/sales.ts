import { z } from 'zod';
import { slaSchema } from '../../catalog/schema';
import { id } from './common';

export const createLeadBody = z.strictObject({
  company: z.string().trim().min(1).max(200),
  contactName: z.string().trim().min(1).max(200).optional(),
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  source: z.string().trim().min(1).max(100).optional(),
});
export type CreateLeadBody = z.infer<typeof createLeadBody>;
export const convertLeadBody = z.strictObject({
  accountId: id,
  opportunityName: z.string().trim().min(1).max(200).optional(),
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
  name: z.string().trim().min(1).max(200).default('Sales agreement'),
  maxDiscountPct: z.number().min(0).max(100),
  slas: z.array(slaSchema).min(1).max(50),
});
export type CreateAgreementBody = z.infer<typeof createAgreementBody>;
export const agreementResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  maxDiscountPct: z.number(),
  slas: z.array(slaSchema),
});
