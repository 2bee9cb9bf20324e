import { z } from 'zod';
import { falloutActions, falloutTypes } from '../../domain/fallout-policy';
import { falloutCaseStates } from '../../domain/states';
import { freeFormData, id } from './common';

export const listFalloutsQuery = z.strictObject({
  state: z.enum(falloutCaseStates).optional(),
  orderId: id.optional(),
  type: z.enum(falloutTypes).optional(),
  group: z.string().max(100).trim().min(1).optional(),
});
export type ListFalloutsQuery = z.infer<typeof listFalloutsQuery>;
export const resolveFalloutBody = z.strictObject({
  action: z.enum(falloutActions),
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().max(200).trim().min(1).optional(),
  note: z.string().max(2000).optional(),
  /** For `complete`: what the task would have produced. */
  data: freeFormData.optional(),
});
export type ResolveFalloutBody = z.infer<typeof resolveFalloutBody>;
export const workFalloutBody = z.strictObject({
  /** `take`: someone works on it (inProgress); `hold`: waiting on someone else, no escalation; `release`. */
  action: z.enum(['take', 'hold', 'release']),
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().max(200).trim().min(1).optional(),
  note: z.string().max(2000).optional(),
});
export type WorkFalloutBody = z.infer<typeof workFalloutBody>;
export const falloutResponse = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  taskId: z.string(),
  type: z.string(),
  priority: z.string(),
  assignmentGroup: z.string(),
  state: z.string(),
  reason: z.string(),
});
export const falloutListResponse = z.object({ fallouts: z.array(falloutResponse) });
