/** Approval roles, lowest first; each escalates to the next. */
export const approvalRoles = ['salesManager', 'financeManager'] as const;
export type ApprovalRole = (typeof approvalRoles)[number];

export interface ApprovalPolicy {
  /** Discounts up to this need no approval. */
  autoApproveUpToPct: number;
  /** Discounts up to this need the sales manager; above, the finance manager too. */
  salesManagerUpToPct: number;
}

export const defaultApprovalPolicy: ApprovalPolicy = { autoApproveUpToPct: 10, salesManagerUpToPct: 25 };

/**
 * The approvals a quote version needs, in order. A discount above the sales agreement's cap needs the
 * top level whatever its size.
 */
export function requiredApprovals(
  maxDiscountPct: number,
  agreementMaxDiscountPct: number | undefined,
  policy: ApprovalPolicy = defaultApprovalPolicy,
): ApprovalRole[] {
  if (agreementMaxDiscountPct !== undefined && maxDiscountPct > agreementMaxDiscountPct) {
    return ['salesManager', 'financeManager'];
  }
  if (maxDiscountPct <= policy.autoApproveUpToPct) return [];
  if (maxDiscountPct <= policy.salesManagerUpToPct) return ['salesManager'];
  return ['salesManager', 'financeManager'];
}
