import { and, asc, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities, type Activities } from '../../activities';
import { openDatabase, type Database, type Db } from '../../db/client';
import {
  auditEvents,
  configurationItems,
  domainOrders,
  orders,
  productInventory,
  serviceInventory,
  simulatorCalls,
  subOrders,
  tasks,
} from '../../db/schema';
import { activityDeps } from '../activity-deps';
import { auditOf, seedOrder, taskOf } from './seed';

let database: Database;
let db: Db;
let activities: Activities;
beforeAll(async () => {
  database = await openDatabase(inject('databaseUrl'));
  db = database.db;
  activities = createActivities(activityDeps(db));
});
afterAll(async () => {
  await database?.close();
});

const dia = (ref: string, name: string, address?: string | null) => ({
  ref,
  name,
  address,
  offeringCode: 'DIA_1G',
});
const MINUTE = 60_000;

const domainOrdersOf = (orderId: string) =>
  db.select().from(domainOrders).where(eq(domainOrders.orderId, orderId)).orderBy(asc(domainOrders.id));
const tasksOf = (orderId: string) =>
  db.select().from(tasks).where(eq(tasks.orderId, orderId)).orderBy(asc(tasks.id));

describe('order activities against the database alone', () => {
  it('approves once however often asked, and refuses credit and feasibility with every reason', async () => {
    const { orderId, accountId, subOrderIds } = await seedOrder(
      db,
      [dia('ham', 'Hamburg HQ'), dia('kie', 'Kiel depot', null)],
      { creditLimit: 1000 },
    );

    const first = await activities.approveOrder(orderId);
    expect(first).toEqual([
      {
        check: 'credit',
        subject: accountId,
        reason: expect.stringMatching(/exceeds the credit limit 1000\.00/),
      },
      { check: 'feasibility', subject: subOrderIds[1], reason: 'site "Kiel depot" has no address to survey' },
    ]);
    expect(await activities.approveOrder(orderId)).toEqual(first);
    const approvals = (await auditOf(db, orderId)).filter((e) => e.entityType === 'orderApproval');
    expect(approvals.map((e) => e.toState)).toEqual(['refused']);
    // One call to each downstream check, the retry answered from the first.
    const calls = await db
      .select()
      .from(simulatorCalls)
      .where(like(simulatorCalls.idempotencyKey, `order:${orderId}:%`));
    expect(calls.map((c) => c.operation).sort()).toEqual([
      'CREDIT_CHECK',
      'FEASIBILITY_CHECK',
      'FEASIBILITY_CHECK',
    ]);

    await activities.rejectOrder(orderId, first);
    await activities.rejectOrder(orderId, first);
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(order).toMatchObject({ state: 'rejected', stateReasons: first });
    expect((await auditOf(db, orderId)).map((e) => e.toState)).toEqual(['refused', 'rejected']);
    for (const id of subOrderIds) expect((await auditOf(db, id)).map((e) => e.toState)).toEqual(['rejected']);
  });

  it('creates the inventory and stores the plan once, however often a retry asks', async () => {
    const { orderId, itemIds, subOrderIds } = await seedOrder(db, [dia('ham', 'Hamburg HQ')]);

    expect(await activities.createProductInventory(orderId)).toBe(1);
    expect(await activities.createProductInventory(orderId)).toBe(1);
    const inventory = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
    expect(inventory.map((p) => [p.id, p.state])).toEqual([[`PI-${itemIds[0]}`, 'created']]);
    expect((await auditOf(db, `PI-${itemIds[0]}`)).map((e) => e.toState)).toEqual(['created']);

    const plan = await activities.decomposeOrder(orderId, MINUTE);
    const [decomposed] = await db.select().from(orders).where(eq(orders.id, orderId));
    const again = await activities.decomposeOrder(orderId, MINUTE);
    expect(again).toMatchObject({ subOrderIds, domainOrders: plan.domainOrders, tasks: plan.tasks });
    const [after] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(after.plannedCompletionDate).toBe(decomposed.plannedCompletionDate);
    expect((await domainOrdersOf(orderId)).map((d) => d.specCode).sort()).toEqual([
      'ACCESS_FIBER',
      'BILLING_SERVICE',
      'CPE_ROUTER',
      'IP_ADDRESSING',
      'ROUTER_MANAGEMENT',
    ]);
    const planned = await tasksOf(orderId);
    expect(planned).toHaveLength(plan.tasks);
    const created = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orderId, orderId), eq(auditEvents.entityType, 'task')));
    expect(created).toHaveLength(plan.tasks);

    // The domain order's start reads its plan with what the catalog says of each task, and moves once.
    const access = (await domainOrdersOf(orderId)).find((d) => d.specCode === 'ACCESS_FIBER')!;
    const key = `domain-order:${access.id}:inProgress`;
    const start = await activities.startDomainOrder(access.id, key);
    expect(await activities.startDomainOrder(access.id, key)).toEqual(start);
    expect(start.tasks.map((t) => t.code)).toEqual([
      'RESERVE_ACCESS_PORT',
      'ORDER_CARRIER_CIRCUIT',
      'INSTALL_NTU',
    ]);
    expect(start.tasks[1]).toMatchObject({
      kind: 'api',
      system: 'carrier-gateway',
      pointOfNoReturn: true,
      dependsOn: [start.tasks[0].id],
      retry: { maxAttempts: expect.any(Number) },
    });
    expect((await auditOf(db, access.id)).map((e) => e.toState)).toEqual(['acknowledged', 'inProgress']);
  });

  it('raises a late task once per level, rolls the risk forward to what comes after it, and never lowers it', async () => {
    const { orderId } = await seedOrder(db, [dia('ham', 'Hamburg HQ')]);
    await activities.decomposeOrder(orderId, MINUTE);
    const circuit = await taskOf(db, orderId, 'ORDER_CARRIER_CIRCUIT');
    const atRisk = ['ALLOCATE_IP_BLOCK', 'CONFIGURE_BGP_SESSION', 'INSTALL_NTU', 'ORDER_CARRIER_CIRCUIT'];
    const levels = async () => Object.fromEntries((await tasksOf(orderId)).map((t) => [t.code, t.jeopardy]));
    const jeopardyEvents = async () =>
      db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.orderId, orderId), eq(auditEvents.entityType, 'jeopardy')));

    expect(await activities.raiseJeopardy(circuit.id, 'yellow')).toEqual({
      domainOrder: 'yellow',
      order: 'yellow',
    });
    expect(await activities.raiseJeopardy(circuit.id, 'yellow')).toEqual({
      domainOrder: 'yellow',
      order: 'yellow',
    });
    const yellow = await levels();
    // Its successors in the domain order (the NTU) and in the domain order that waits on it (IP addressing);
    // not what comes before it, nor the router, management and billing, which do not wait on it.
    expect(
      Object.keys(yellow)
        .filter((code) => yellow[code] === 'yellow')
        .sort(),
    ).toEqual(atRisk);
    expect(Object.values(yellow).filter((l) => l === 'green')).toHaveLength(Object.keys(yellow).length - 4);
    const events = await jeopardyEvents();
    expect(events).toHaveLength(4);
    expect(events.find((e) => e.entityId === circuit.id)!.details).toEqual({ late: true });
    expect(events.filter((e) => e.entityId !== circuit.id).map((e) => e.details)).toEqual(
      Array(3).fill({ rolledForwardFrom: circuit.id }),
    );
    const ntu = await taskOf(db, orderId, 'INSTALL_NTU');
    await activities.raiseJeopardy(ntu.id, 'yellow'); // already yellow: nothing recorded
    expect(await jeopardyEvents()).toHaveLength(4);

    await activities.raiseJeopardy(circuit.id, 'red');
    expect(await activities.raiseJeopardy(circuit.id, 'yellow')).toEqual({
      domainOrder: 'red',
      order: 'red',
    });
    const red = await levels();
    expect(
      Object.keys(red)
        .filter((code) => red[code] === 'red')
        .sort(),
    ).toEqual(atRisk);
    expect(await jeopardyEvents()).toHaveLength(8);
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(order.jeopardy).toBe('red');
  });

  it('closes a delivered order once: inventory active with billing started, one service and CI per domain order', async () => {
    const { orderId, itemIds, subOrderIds } = await seedOrder(db, [dia('ham', 'Hamburg HQ')]);
    await activities.createProductInventory(orderId);
    await activities.decomposeOrder(orderId, MINUTE);
    const delivered = [
      ...(await domainOrdersOf(orderId)).map((d) => ({ entity: 'domainOrder' as const, id: d.id })),
      { entity: 'subOrder' as const, id: subOrderIds[0] },
    ];
    for (const { entity, id } of delivered) {
      const change = { entity, id, to: 'completed', eventKey: `${entity}:${id}:completed`, actor: 'test' };
      expect(await activities.recordTransition(change)).toBe(true);
      expect(await activities.recordTransition(change)).toBe(false); // a retry records nothing twice
    }

    await activities.closeOrder(orderId, 'completed');
    await activities.closeOrder(orderId, 'completed');
    const [item] = await db.select().from(productInventory).where(eq(productInventory.orderId, orderId));
    expect(item).toMatchObject({
      state: 'active',
      activatedAt: expect.any(String),
      billingStartedAt: expect.any(String),
    });
    expect((await auditOf(db, `PI-${itemIds[0]}`)).map((e) => e.toState)).toEqual(['created', 'active']);
    const services = await db.select().from(serviceInventory).where(eq(serviceInventory.orderId, orderId));
    expect(services.map((s) => s.specCode).sort()).toEqual([
      'ACCESS_FIBER',
      'BILLING_SERVICE',
      'CPE_ROUTER',
      'IP_ADDRESSING',
      'ROUTER_MANAGEMENT',
    ]);
    for (const s of services)
      expect(s).toMatchObject({ state: 'active', productInventoryIds: [`PI-${itemIds[0]}`] });
    const cis = await db.select().from(configurationItems).where(eq(configurationItems.orderId, orderId));
    expect(cis.map((c) => c.ciClass).sort()).toEqual([
      'AccessCircuit',
      'IpService',
      'MonitoringAgent',
      'Router',
    ]);
    const [order] = await db.select().from(orders).where(eq(orders.id, orderId));
    expect(order).toMatchObject({ state: 'completed', completedAt: expect.any(String) });
    expect((await auditOf(db, orderId)).filter((e) => e.eventKey === `order:${orderId}:closed`)).toHaveLength(
      1,
    );
    const [sub] = await db.select().from(subOrders).where(eq(subOrders.id, subOrderIds[0]));
    expect(sub.state).toBe('completed');
  });
});
