/**
 * How a fall-out case is typed, prioritised and routed (DESIGN.md, stage 8). Pure: the same task always
 * gives the same case, and the rules read in one place.
 */
export const falloutTypes = ['provisioning', 'inventory', 'billing', 'field', 'validation'] as const;
export type FalloutType = (typeof falloutTypes)[number];
export type FalloutPriority = 'critical' | 'high' | 'medium' | 'low';
export type FalloutAction = 'retry' | 'skip' | 'complete' | 'abort';
export const falloutActions: FalloutAction[] = ['retry', 'skip', 'complete', 'abort'];

export interface FailedTask {
  kind: 'api' | 'manual' | 'field' | 'project';
  domain: string;
  system: string | null;
  mandatory: boolean;
  pointOfNoReturn: boolean;
}

/** Downstream systems whose failures are inventory problems (a port, a number, an address block). */
const inventorySystems = new Set(['inventory', 'number-inventory', 'ipam', 'logistics']);

export function falloutTypeOf(task: FailedTask): FalloutType {
  if (task.kind === 'field') return 'field';
  if (task.domain === 'billing') return 'billing';
  if (task.system && inventorySystems.has(task.system)) return 'inventory';
  if (task.kind === 'manual') return 'validation';
  return 'provisioning';
}

/** A task past which the order cannot be cancelled is critical; a mandatory one high; the rest medium. */
export function falloutPriorityOf(task: FailedTask): FalloutPriority {
  if (task.pointOfNoReturn) return 'critical';
  return task.mandatory ? 'high' : 'medium';
}

/** The groups a case moves through when nobody resolves it in time, first to last. */
export function assignmentGroupsOf(type: FalloutType): string[] {
  const first: Record<FalloutType, string[]> = {
    provisioning: ['provisioning-tier1', 'provisioning-tier2'],
    inventory: ['inventory-management', 'inventory-tier2'],
    billing: ['billing-operations', 'billing-tier2'],
    field: ['field-dispatch', 'field-supervisors'],
    validation: ['order-validation', 'order-validation-tier2'],
  };
  return [...first[type], 'order-management-escalations'];
}

/** Why an action does not fit a case, or undefined when it does. */
export function refusalOf(
  action: FalloutAction,
  caseState: string,
  task: { id: string; mandatory: boolean },
): string | undefined {
  if (caseState === 'resolved' || caseState === 'cancelled') return `the case is already ${caseState}`;
  if (action === 'skip' && task.mandatory)
    return `task ${task.id} is mandatory: it cannot be skipped (retry, complete it by hand, or abort)`;
  return undefined;
}
