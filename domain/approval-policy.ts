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

/** Which rule of the policy decided a version's approval levels. */
export const approvalRules = [
  'agreementCap',
  'autoApprove',
  'salesManagerBand',
  'financeManagerBand',
] as const;
export type ApprovalRule = (typeof approvalRules)[number];

export interface ApprovalExplanation {
  levels: ApprovalRole[];
  rule: ApprovalRule;
  /** The rule in words, with the numbers that decided it. */
  reason: string;
}

/** The levels a version needs and why: the same decision as `requiredApprovals`, told. */
export function explainApprovals(
  maxDiscountPct: number,
  agreementMaxDiscountPct: number | undefined,
  policy: ApprovalPolicy = defaultApprovalPolicy,
): ApprovalExplanation {
  const levels = requiredApprovals(maxDiscountPct, agreementMaxDiscountPct, policy);
  const discount = `the largest discount, ${maxDiscountPct}%,`;
  if (agreementMaxDiscountPct !== undefined && maxDiscountPct > agreementMaxDiscountPct) {
    return {
      levels,
      rule: 'agreementCap',
      reason: `${discount} is above the sales agreement's cap of ${agreementMaxDiscountPct}%: the top level decides`,
    };
  }
  if (levels.length === 0) {
    return {
      levels,
      rule: 'autoApprove',
      reason: `${discount} is at most ${policy.autoApproveUpToPct}%: no approval needed`,
    };
  }
  if (levels.length === 1) {
    return {
      levels,
      rule: 'salesManagerBand',
      reason: `${discount} is above ${policy.autoApproveUpToPct}% and at most ${policy.salesManagerUpToPct}%: the sales manager decides`,
    };
  }
  return {
    levels,
    rule: 'financeManagerBand',
    reason: `${discount} is above ${policy.salesManagerUpToPct}%: the sales manager, then the finance manager`,
  };
}
