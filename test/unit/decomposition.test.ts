import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../catalog/load';
import { decomposeOrder } from '../../domain/decompose';
import { planSubOrders } from '../../domain/order-plan';
import { rollUp } from '../../domain/states';

const catalog = readCatalog();

describe('sub-orders from a quote', () => {
  it('gives one sub-order per member, instantiates group offers per member, and one account sub-order last', () => {
    const plan = planSubOrders(
      'Acme',
      [
        { ref: 'ber', kind: 'location', name: 'Berlin' },
        { ref: 'muc', kind: 'location', name: 'Munich' },
        { ref: 'ham', kind: 'location', name: 'Hamburg' },
      ],
      [{ ref: 'south', memberRefs: ['muc', 'ham'] }],
      [
        {
          lineNo: 1,
          offeringCode: 'DIA_1G',
          quantity: 1,
          appliesToKind: 'member',
          appliesToRef: 'ber',
          recurringNet: 890,
          oneOffNet: 1500,
        },
        {
          lineNo: 2,
          offeringCode: 'SDWAN_SITE',
          quantity: 1,
          appliesToKind: 'group',
          appliesToRef: 'south',
          recurringNet: 640,
          oneOffNet: 1300,
        },
        {
          lineNo: 3,
          offeringCode: 'MULTISITE_DEPLOYMENT',
          quantity: 1,
          appliesToKind: 'account',
          appliesToRef: null,
          recurringNet: 0,
          oneOffNet: 12000,
        },
      ],
    );
    expect(plan.map((s) => [s.memberRef, s.items.map((i) => i.offeringCode)])).toEqual([
      ['ber', ['DIA_1G']],
      ['muc', ['SDWAN_SITE']],
      ['ham', ['SDWAN_SITE']],
      [null, ['MULTISITE_DEPLOYMENT']],
    ]);
    expect(plan[1].items[0]).toMatchObject({ recurringNet: 320, oneOffNet: 650 });
  });
});

describe('decomposition', () => {
  const items = [
    { id: 'O-S01-I01', subOrderId: 'O-S01', offeringCode: 'DIA_1G' },
    { id: 'O-S02-I01', subOrderId: 'O-S02', offeringCode: 'SDWAN_SITE' },
    { id: 'O-S03-I01', subOrderId: 'O-S03', offeringCode: 'SDWAN_SITE' },
    { id: 'O-S04-I01', subOrderId: 'O-S04', offeringCode: 'MULTISITE_DEPLOYMENT' },
  ];

  it('makes one domain order per specification per sub-order with the catalog edges', () => {
    const plan = decomposeOrder(items, catalog);
    const s1 = plan.domainOrders.filter((d) => d.subOrderId === 'O-S01');
    expect(s1.map((d) => `${d.id}:${d.specCode}:${d.domain}`)).toEqual([
      'O-S01-D01:ACCESS_FIBER:access',
      'O-S01-D02:IP_ADDRESSING:network',
      'O-S01-D03:CPE_ROUTER:cpe',
      'O-S01-D04:ROUTER_MANAGEMENT:network',
      'O-S01-D05:BILLING_SERVICE:billing',
    ]);
    expect(s1.find((d) => d.specCode === 'IP_ADDRESSING')!.dependsOn).toEqual(['O-S01-D01']);
    const overlay = plan.domainOrders.find(
      (d) => d.subOrderId === 'O-S02' && d.specCode === 'SDWAN_OVERLAY',
    )!;
    expect(overlay.dependsOn).toEqual(['O-S02-D01', 'O-S02-D02']);
  });

  it('links across sub-orders where the catalog says so: the project waits for every site overlay', () => {
    const plan = decomposeOrder(items, catalog);
    const project = plan.domainOrders.find((d) => d.specCode === 'DEPLOYMENT_PROJECT')!;
    // Not a domain-order edge (those stay within a sub-order) but task edges: the project's first task
    // waits for the last task of each site's overlay, whose domain orders will tell the project's.
    expect(project.dependsOn).toEqual([]);
    const [projectTask] = plan.tasks.filter((t) => t.domainOrderId === project.id);
    expect(projectTask.dependsOn).toEqual(['O-S02-D03-T02', 'O-S03-D03-T02']);
    const verify = plan.tasks.filter((t) => t.code === 'VERIFY_SDWAN_TUNNEL');
    expect(verify.map((t) => t.notifies)).toEqual([[project.id], [project.id]]);
    // The sub-orders start in an order where none waits on one not yet started.
    expect(plan.subOrderIds).toEqual(['O-S01', 'O-S02', 'O-S03', 'O-S04']);
    const reversed = decomposeOrder(
      [
        { id: 'O-S01-I01', subOrderId: 'O-S01', offeringCode: 'MULTISITE_DEPLOYMENT' },
        { id: 'O-S02-I01', subOrderId: 'O-S02', offeringCode: 'SDWAN_SITE' },
        { id: 'O-S10-I01', subOrderId: 'O-S10', offeringCode: 'SDWAN_SITE' },
      ],
      catalog,
    );
    expect(reversed.subOrderIds).toEqual(['O-S02', 'O-S10', 'O-S01']);
  });

  it('throttles a task group to the domain cap per order with lanes across sub-orders', () => {
    const sites = Array.from({ length: 45 }, (_, i) => ({
      id: `O-S${i + 1}-I01`,
      subOrderId: `O-S${i + 1}`,
      offeringCode: 'ONNET_DIA',
    }));
    const plan = decomposeOrder(sites, catalog);
    const cap = catalog.domains.access.maxInFlightPerOrder;
    const activations = plan.tasks.filter((t) => t.code === 'ACTIVATE_ONNET_PORT');
    expect(activations).toHaveLength(45);
    // The first `cap` activations are free; each later one waits for the one `cap` places before it.
    expect(activations.slice(0, cap).every((t) => t.throttledAfter.length === 0)).toBe(true);
    activations.slice(cap).forEach((t, k) => expect(t.throttledAfter).toEqual([activations[k].id]));
    expect(activations[0].notifies).toEqual([activations[cap].domainOrderId]);
    // Unthrottled tasks take no lane.
    expect(
      plan.tasks.filter((t) => t.code === 'RESERVE_ONNET_PORT').every((t) => t.throttledAfter.length === 0),
    ).toBe(true);
  });

  it('plans each task on the critical path of the catalog durations', () => {
    const plan = decomposeOrder(
      [{ id: 'O-S01-I01', subOrderId: 'O-S01', offeringCode: 'SDWAN_SITE' }],
      catalog,
    );
    const at = (code: string) => plan.tasks.find((t) => t.code === code)!;
    // Broadband line (60) then modem install (2880); edge reserve (30), ship (4320), install (2880).
    expect([at('ACTIVATE_BROADBAND_LINE').dueMinutes, at('INSTALL_BROADBAND_MODEM').dueMinutes]).toEqual([
      60, 2940,
    ]);
    expect(at('INSTALL_SDWAN_EDGE').dueMinutes).toBe(30 + 4320 + 2880);
    // The overlay waits for both access and edge domain orders: it starts after the later one.
    expect(at('PROVISION_SDWAN_OVERLAY').startMinutes).toBe(7230);
    expect(at('VERIFY_SDWAN_TUNNEL').dueMinutes).toBe(7230 + 60 + 240);
    expect(plan.dueMinutes).toBe(7530);
    expect(plan.subOrderDueMinutes).toEqual({ 'O-S01': 7530 });
  });

  it('turns each task plan into tasks with edges, and is deterministic', () => {
    const plan = decomposeOrder(items, catalog);
    const fiberTasks = plan.tasks.filter((t) => t.domainOrderId === 'O-S01-D01');
    expect(fiberTasks.map((t) => [t.id, t.code, t.kind, t.dependsOn])).toEqual([
      ['O-S01-D01-T01', 'RESERVE_ACCESS_PORT', 'api', []],
      ['O-S01-D01-T02', 'ORDER_CARRIER_CIRCUIT', 'api', ['O-S01-D01-T01']],
      ['O-S01-D01-T03', 'INSTALL_NTU', 'field', ['O-S01-D01-T02']],
    ]);
    expect(fiberTasks[1].pointOfNoReturn).toBe(true);
    expect(decomposeOrder(items, catalog)).toEqual(plan);
  });

  it('merges a specification two offerings of one site share into one domain order', () => {
    const plan = decomposeOrder(
      [
        { id: 'O-S01-I01', subOrderId: 'O-S01', offeringCode: 'DIA_1G' },
        { id: 'O-S01-I02', subOrderId: 'O-S01', offeringCode: 'MANAGED_FIREWALL' },
      ],
      catalog,
    );
    const billing = plan.domainOrders.filter((d) => d.specCode === 'BILLING_SERVICE');
    expect(billing).toHaveLength(1);
    expect(billing[0].orderItemIds).toEqual(['O-S01-I01', 'O-S01-I02']);
  });
});

describe('roll-up rules', () => {
  it.each([
    [['completed', 'moving'], 'inProgress'],
    [['completed', 'held'], 'held'],
    [['completed', 'skipped'], 'completed'],
    [['completed', 'failed'], 'partial'],
    [['failed', 'failed'], 'failed'],
    [['cancelled', 'cancelled'], 'cancelled'],
  ] as const)('%j rolls up to %s', (children, expected) => {
    expect(rollUp([...children])).toBe(expected);
  });
});
