import { z } from 'zod';
import { taskKinds } from '../../catalog/schema';
import { taskStates } from '../../domain/states';
import { freeFormData, id, timestamp } from './common';

export const listTasksQuery = z.strictObject({
  orderId: id.optional(),
  state: z.enum(taskStates).optional(),
  kind: z.enum(taskKinds).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ListTasksQuery = z.infer<typeof listTasksQuery>;

export const completeTaskBody = z.strictObject({
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().max(200).trim().min(1).optional(),
  data: freeFormData.optional(),
  note: z.string().max(2000).optional(),
});
export type CompleteTaskBody = z.infer<typeof completeTaskBody>;
export const failTaskBody = z.strictObject({
  /** Who acts comes from the token; a `by` naming anyone else is refused. */
  by: z.string().max(200).trim().min(1).optional(),
  reason: z.string().max(2000).trim().min(1),
});
export type FailTaskBody = z.infer<typeof failTaskBody>;

export const taskResponse = z.looseObject({
  id: z.string(),
  orderId: z.string(),
  code: z.string(),
  kind: z.string(),
  state: z.string(),
  jeopardy: z.string(),
  dependsOn: z.array(z.string()),
  dueDate: timestamp,
});
export const taskListResponse = z.object({ tasks: z.array(taskResponse) });
export const taskSignalResponse = z.object({
  taskId: z.string(),
  state: z.string(),
  signal: z.enum(['complete', 'fail']),
});
