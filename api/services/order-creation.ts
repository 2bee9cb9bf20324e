/** Stage 4, order capture: an accepted quote becomes a primary order, its sub-orders and its workflow. */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../db/client';
import { recordTmfEvents } from '../../db/tmf-outbox';
import {
  accounts,
  auditEvents,
  orderItems,
  orders,
  quotes,
  serviceContracts,
  subOrders,
} from '../../db/schema';
import { childId, planSubOrders } from '../../domain/order-plan';
import { defaultFulfilmentSettings, workflowId, type OrderInput } from '../../workflows/contracts';
import type { order as orderWorkflow } from '../../workflows/order';
import { CustomerId, OrderId, OrderState, State } from '../../workflows/search-attributes';
import type { AppDeps } from '../deps';
import { traceOrder } from '../observability';
import { invalidState, unprocessable } from '../errors';
import { derivedId, newId } from '../ids';
import { orderableContent } from './order-rules';
import { getOrderTree } from './orders';
import type { Actor } from '../../domain/roles';
import { batches } from '../../db/batches';

export interface CreateOrderRequest {
  quoteId: string;
  requestedCompletionDate?: string;
  idempotencyKey?: string;
}

/**
 * Turns an accepted quote into one primary order with its sub-orders, items and service accounts, in one
 * transaction, and starts the order workflow before that transaction commits: a failure anywhere leaves
 * neither rows nor a workflow behind. Answers the existing order for a repeated `Idempotency-Key`.
 */
export async function createOrder(deps: AppDeps, request: CreateOrderRequest, who: Actor) {
  return getOrderTree(deps, await placeOrder(deps, request, who));
}

/** The order's ID: a new one, or the one an earlier request with the same `Idempotency-Key` placed. */
async function placeOrder(deps: AppDeps, request: CreateOrderRequest, who: Actor): Promise<string> {
  const { db } = deps.database;
  if (request.idempotencyKey) {
    const existing = await db.query.orders.findFirst({
      where: eq(orders.idempotencyKey, request.idempotencyKey),
    });
    if (existing) return sameRequestOrConflict(existing, request);
  }
  const quote = await db.query.quotes.findFirst({ where: eq(quotes.id, request.quoteId) });
  if (!quote)
    throw unprocessable('The order cannot be created', [
      { field: 'quoteId', rule: 'exists', message: `quote ${request.quoteId} does not exist` },
    ]);
  if (quote.changeOfOrderId)
    throw unprocessable('The order cannot be created', [
      {
        field: 'quoteId',
        rule: 'change_quote',
        message: `quote ${quote.id} is a change quote of order ${quote.changeOfOrderId}: its signature applies it to that order`,
      },
    ]);
  const already = await db.query.orders.findFirst({ where: eq(orders.quoteId, quote.id) });
  if (already)
    throw invalidState(`Quote ${quote.id} already has order ${already.id}`, [
      { field: 'quoteId', rule: 'one_order_per_quote', message: `order ${already.id} exists` },
    ]);
  const { account, members, groups, items, catalogVersion } = await orderableContent(deps, quote);

  const version = quote.currentVersion;
  const plan = planSubOrders(account.name, members, groups, items);
  // One order per quote: its ID comes from the quote, so a retry after a crash names the same workflow.
  const orderId = derivedId('ORD', quote.id);
  try {
    await db.transaction(async (tx) => {
      await tx.insert(orders).values({
        id: orderId,
        quoteId: quote.id,
        quoteVersion: version,
        accountId: account.id,
        state: 'acknowledged',
        catalogVersion,
        idempotencyKey: request.idempotencyKey ?? null,
        requestedCompletionDate: request.requestedCompletionDate
          ? new Date(request.requestedCompletionDate).toISOString()
          : null,
      });
      const audit: (typeof auditEvents.$inferInsert)[] = [
        {
          eventKey: `order:${orderId}:created`,
          orderId,
          entityType: 'order',
          entityId: orderId,
          toState: 'acknowledged',
          actor: who.subject,
          actorRole: who.role,
          details: { quoteId: quote.id, quoteVersion: version },
        },
      ];
      for (const [index, sub] of plan.entries()) {
        const subOrderId = childId.subOrder(orderId, index);
        const serviceAccountId =
          sub.memberRef === null
            ? account.id
            : await serviceAccountFor(tx, account.id, quote.id, sub.memberRef, sub.name);
        await tx.insert(subOrders).values({
          id: subOrderId,
          orderId,
          memberRef: sub.memberRef,
          name: sub.name,
          serviceAccountId,
          state: 'acknowledged',
        });
        await tx.insert(orderItems).values(
          sub.items.map((item, i) => ({
            id: childId.orderItem(subOrderId, i),
            orderId,
            subOrderId,
            ...item,
          })),
        );
        audit.push({
          eventKey: `subOrder:${subOrderId}:created`,
          orderId,
          entityType: 'subOrder',
          entityId: subOrderId,
          toState: 'acknowledged',
          actor: who.subject,
          actorRole: who.role,
          details: { serviceAccountId },
        });
      }
      for (const batch of batches(audit)) await tx.insert(auditEvents).values(batch);
      await startOrderWorkflow(
        deps,
        {
          orderId,
          customerId: account.id,
          settings: { ...defaultFulfilmentSettings, ...deps.fulfilment },
        },
        account.name,
        plan.length,
      );
      // Last, so that the outbox's lock is held only until the commit that follows.
      await recordTmfEvents(tx, [{ eventType: 'ProductOrderCreateEvent', orderId, state: 'acknowledged' }]);
    });
  } catch (err) {
    // No workflow is terminated here: its ID is the order's, so it may be the run of a request that
    // commits (a concurrent one, or the retry after this one). A run whose rows never commit waits at its
    // first step until a retry of the request commits them (README, "Crash safety").
    if (request.idempotencyKey && isUniqueViolation(err)) {
      // A concurrent request with the same key won the race: answer with its order.
      const existing = await db.query.orders.findFirst({
        where: eq(orders.idempotencyKey, request.idempotencyKey),
      });
      if (existing) return sameRequestOrConflict(existing, request);
    }
    if (isUniqueViolation(err)) throw invalidState(`Quote ${quote.id} already has an order`);
    throw err;
  }
  return orderId;
}

function sameRequestOrConflict(existing: typeof orders.$inferSelect, request: CreateOrderRequest) {
  if (existing.quoteId !== request.quoteId) {
    throw invalidState(
      `Idempotency-Key was already used for order ${existing.id} of quote ${existing.quoteId}`,
      [
        {
          field: 'headers.idempotency-key',
          rule: 'same_request',
          message: 'the key was used with another quote',
        },
      ],
    );
  }
  return existing.id;
}

/** The member's service account, created once: the member key makes a retry find the first one. */
async function serviceAccountFor(
  tx: Tx,
  parentId: string,
  quoteId: string,
  memberRef: string,
  name: string,
): Promise<string> {
  const memberKey = `${quoteId}:${memberRef}`;
  await tx
    .insert(accounts)
    .values({ id: newId('SA'), kind: 'service', name, parentId, memberKey })
    .onConflictDoNothing();
  const [row] = await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.memberKey, memberKey));
  // The site's service contract, signed with the quote, now names the account it serves.
  await tx
    .update(serviceContracts)
    .set({ serviceAccountId: row.id })
    .where(and(eq(serviceContracts.quoteId, quoteId), eq(serviceContracts.memberRef, memberRef)));
  return row.id;
}

async function startOrderWorkflow(
  deps: AppDeps,
  input: OrderInput,
  customerName: string,
  subOrderCount: number,
) {
  traceOrder(input.orderId);
  const started = deps.temporal.workflow.start<typeof orderWorkflow>('order', {
    workflowId: workflowId.order(input.orderId),
    taskQueue: deps.taskQueue,
    args: [input],
    staticSummary: `Order ${input.orderId} for ${customerName}: ${subOrderCount} sub-order(s)`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: OrderId, value: input.orderId },
      { key: CustomerId, value: input.customerId },
      { key: OrderState, value: 'acknowledged' },
      { key: State, value: 'acknowledged' },
    ]),
  });
  // Already running: an earlier attempt (an API that died before its commit, a concurrent request) started
  // this order's run, which waits for these rows. It is the order's run: started once.
  await started.catch((err: unknown) => {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  });
}

function isUniqueViolation(err: unknown): boolean {
  const code =
    (err as { code?: string; cause?: { code?: string } }).code ??
    (err as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}
