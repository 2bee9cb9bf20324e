import { z } from 'zod';

const component = z.object({ status: z.enum(['up', 'down']), detail: z.string() });
export type ComponentHealth = z.infer<typeof component>;
export const healthResponse = z.object({
  status: z.enum(['up', 'down']),
  temporal: component,
  database: component,
});
export type Health = z.infer<typeof healthResponse>;
