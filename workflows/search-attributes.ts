import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes engineers filter on in the Temporal UI and with
 * `temporal workflow list --query "OrderId='...'"`. Registered on the server by
 * `platform/search-attributes.ts` (dev server flags or the operator service).
 */
export const OrderId = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const OrderState = defineSearchAttributeKey('OrderState', SearchAttributeType.KEYWORD);
export const QuoteId = defineSearchAttributeKey('QuoteId', SearchAttributeType.KEYWORD);
export const ApprovalLevel = defineSearchAttributeKey('ApprovalLevel', SearchAttributeType.KEYWORD);
export const State = defineSearchAttributeKey('State', SearchAttributeType.KEYWORD);
export const Domain = defineSearchAttributeKey('Domain', SearchAttributeType.KEYWORD);
export const FalloutOpen = defineSearchAttributeKey('FalloutOpen', SearchAttributeType.BOOL);
export const Jeopardy = defineSearchAttributeKey('Jeopardy', SearchAttributeType.KEYWORD);

export const allSearchAttributes = [
  OrderId,
  CustomerId,
  OrderState,
  QuoteId,
  ApprovalLevel,
  State,
  Domain,
  FalloutOpen,
  Jeopardy,
] as const;
