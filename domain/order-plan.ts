/** Quote-side input of order creation (stage 4 of DESIGN.md, source document 000). */
export interface QuoteMemberInput {
  ref: string;
  kind: 'location' | 'subscriber';
  name: string;
}
export interface QuoteGroupInput {
  ref: string;
  memberRefs: string[];
}
export interface QuoteItemInput {
  lineNo: number;
  offeringCode: string;
  quantity: number;
  appliesToKind: 'account' | 'member' | 'group';
  appliesToRef: string | null;
  recurringNet: number;
  oneOffNet: number;
}

export interface PlannedSubOrder {
  /** The member it serves, or null for the business account's own sub-order. */
  memberRef: string | null;
  name: string;
  items: {
    quoteLineNo: number;
    offeringCode: string;
    quantity: number;
    recurringNet: number;
    oneOffNet: number;
  }[];
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * One sub-order per member that has something to deliver, in member order; an offer applied to a group
 * is instantiated for each member of the group in that member's sub-order (its price shared evenly);
 * items on no member or group land in one sub-order for the business account, last.
 */
export function planSubOrders(
  accountName: string,
  members: QuoteMemberInput[],
  groups: QuoteGroupInput[],
  items: QuoteItemInput[],
): PlannedSubOrder[] {
  const byMember = new Map<string, PlannedSubOrder['items']>(members.map((m) => [m.ref, []]));
  const accountItems: PlannedSubOrder['items'] = [];
  for (const item of [...items].sort((a, b) => a.lineNo - b.lineNo)) {
    const base = { quoteLineNo: item.lineNo, offeringCode: item.offeringCode, quantity: item.quantity };
    if (item.appliesToKind === 'account' || item.appliesToRef === null) {
      accountItems.push({ ...base, recurringNet: item.recurringNet, oneOffNet: item.oneOffNet });
    } else if (item.appliesToKind === 'member') {
      byMember
        .get(item.appliesToRef)
        ?.push({ ...base, recurringNet: item.recurringNet, oneOffNet: item.oneOffNet });
    } else {
      const group = groups.find((g) => g.ref === item.appliesToRef);
      const memberRefs = group?.memberRefs ?? [];
      for (const ref of memberRefs) {
        byMember.get(ref)?.push({
          ...base,
          recurringNet: round2(item.recurringNet / memberRefs.length),
          oneOffNet: round2(item.oneOffNet / memberRefs.length),
        });
      }
    }
  }
  const subOrders: PlannedSubOrder[] = members
    .filter((m) => (byMember.get(m.ref) ?? []).length > 0)
    .map((m) => ({ memberRef: m.ref, name: m.name, items: byMember.get(m.ref)! }));
  if (accountItems.length > 0) subOrders.push({ memberRef: null, name: accountName, items: accountItems });
  return subOrders;
}

/** Readable, deterministic IDs for everything under an order, so retries and replays name the same rows. */
/**
 * The order an ID belongs to: every workflow ID and entity ID under an order holds the order's ID
 * (`sub-order:ORD-…-S01`, `FO-ORD-…-T02-1`), so logs and traces can name the order of anything.
 */
export const orderIdIn = (id: string): string | undefined => /ORD-[0-9A-Z]+/.exec(id)?.[0];

export const childId = {
  subOrder: (orderId: string, index: number) => `${orderId}-S${pad(index + 1)}`,
  orderItem: (subOrderId: string, index: number) => `${subOrderId}-I${pad(index + 1)}`,
  domainOrder: (subOrderId: string, index: number) => `${subOrderId}-D${pad(index + 1)}`,
  task: (domainOrderId: string, index: number) => `${domainOrderId}-T${pad(index + 1)}`,
};

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
