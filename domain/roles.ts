/**
 * The roles of the back office, one list for the API's route declarations, the approval policy and the
 * README's matrix. A token's roles outside this list are ignored.
 */
export const roles = [
  'sales',
  'salesManager',
  'financeManager',
  'orderManager',
  'falloutAgent',
  'backOffice',
  'fieldTechnician',
  'projectManager',
  'integration',
  'viewer',
  'admin',
] as const;

export type Role = (typeof roles)[number];

export const isRole = (value: unknown): value is Role =>
  typeof value === 'string' && (roles as readonly string[]).includes(value);

/** Who acted: the token's subject and the role it acted under (absent for the engine's own changes). */
export interface Principal {
  subject: string;
  roles: Role[];
  name?: string;
}

/** Who made a change through the API: the caller's subject and the role the route admitted them under. */
export interface Actor {
  subject: string;
  role: Role;
}
