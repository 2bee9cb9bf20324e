import { z } from 'zod';

export const catalogResponse = z.looseObject({
  version: z.string(),
  currency: z.string(),
  offerings: z.array(z.looseObject({ code: z.string(), name: z.string() })),
});
