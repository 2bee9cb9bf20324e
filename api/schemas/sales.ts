import { z } from 'zod';
import { slaSchema } from '../../catalog/schema';
import { id } from './common';

export const createLeadBody = z.strictObject({
  company: z.string().max(200).trim().min(1),
  contactName: z.string().max(200).trim().min(1).optional(),
  email: z.email().optional(),
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
});
export type CreateAgreementBody = z.infer<typeof createAgreementBody>;
export const agreementResponse = z.looseObject({
  id: z.string(),
  accountId: z.string(),
  maxDiscountPct: z.number(),
  slas: z.array(slaSchema),
});
