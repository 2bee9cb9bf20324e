import { z } from 'zod';

/** A code names a catalog entry everywhere (prices, plans, faults): upper snake case. */
const code = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be UPPER_SNAKE_CASE');

export const taskKinds = ['api', 'manual', 'field', 'project'] as const;
export type TaskKind = (typeof taskKinds)[number];

export const retryPolicySchema = z.object({
  /** 1 means no retry. */
  maxAttempts: z.number().int().min(1).max(20),
  /** Waits between attempts; the last one repeats when there are fewer than the attempts. */
  backoffSeconds: z.array(z.number().positive()).default([]),
});

export const taskTemplateSchema = z.object({
  code,
  name: z.string().min(1),
  kind: z.enum(taskKinds),
  /** Downstream system an `api` task calls; a system marked offline holds its tasks. */
  system: z.string().min(1).optional(),
  dependsOn: z.array(code).default([]),
  plannedMinutes: z.number().int().positive(),
  retry: retryPolicySchema.default({ maxAttempts: 1, backoffSeconds: [] }),
  /** A mandatory task cannot be skipped from a fall-out: the service does not work without it. */
  mandatory: z.boolean().default(false),
  /** Once this task completes, the order can no longer be cancelled or amended in this bundle. */
  pointOfNoReturn: z.boolean().default(false),
  /** The compensating action run when completed work has to be undone. */
  compensation: code.optional(),
  /** A throttle group whose in-flight count the domain caps (for example carrier orders). */
  throttle: z.string().min(1).optional(),
  /** Milestones of a `project` task. */
  milestones: z.array(z.string().min(1)).optional(),
});

export const specDependencySchema = z.object({
  spec: code,
  /** `subOrder`: the same site's instance; `order`: every instance anywhere in the order. */
  scope: z.enum(['subOrder', 'order']).default('subOrder'),
});

export const specificationSchema = z.object({
  code,
  name: z.string().min(1),
  domain: z.string().min(1),
  dependsOn: z.array(specDependencySchema).default([]),
  tasks: z.array(taskTemplateSchema).min(1),
  /** The CMDB class of the configuration item a completed instance is recorded as; none when absent. */
  ciClass: z.string().min(1).optional(),
});

export const offeringSchema = z.object({
  code,
  name: z.string().min(1),
  description: z.string().default(''),
  /** Which quote targets the offering may apply to. */
  memberKinds: z.array(z.enum(['location', 'subscriber', 'account'])).min(1),
  prices: z.object({ recurring: z.number().min(0), oneOff: z.number().min(0) }),
  specifications: z.array(code).min(1),
});

export const domainSchema = z.object({
  name: z.string().min(1),
  /** At most this many of the domain's tasks run at once within one order. */
  maxInFlightPerOrder: z.number().int().positive(),
});

/** A service level commitment: `availability` 99.9 `percent`, `timeToRestore` 4 `hours`. */
export const slaSchema = z.strictObject({
  metric: z.string().trim().min(1).max(100),
  target: z.number().min(0),
  unit: z.string().trim().min(1).max(40),
});

export const catalogSchema = z.object({
  version: z.string().min(1),
  currency: z.string().length(3),
  /** The SLAs of a quote that names no sales agreement. */
  standardSlas: z.array(slaSchema).default([]),
  domains: z.record(z.string(), domainSchema),
  specifications: z.array(specificationSchema).min(1),
  offerings: z.array(offeringSchema).min(1),
});

export type Catalog = z.infer<typeof catalogSchema>;
export type Offering = z.infer<typeof offeringSchema>;
export type Specification = z.infer<typeof specificationSchema>;
export type TaskTemplate = z.infer<typeof taskTemplateSchema>;
export type RetryPolicy = z.infer<typeof retryPolicySchema>;
