/**
 * The TMF622 hub's alerts on the real worker, Temporal and PostgreSQL: the order's jeopardy rising
 * (`ProductOrderJeopardyAlertEvent`, v5), a fall-out that needs data from outside
 * (`ProductOrderInformationRequiredEvent`) and each project milestone (`ProductOrderMilestoneEvent`, v5),
 * each once and in the order they happened, to a listener served on loopback. One planned minute lasts
 * 1 ms here, so the site visit is late within seconds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../harness';
import { Listener } from '../hub-listener';
import { orderFor, runningTask, site, workToCompletion } from '../lifecycle';
import { expectTmf } from '../tmf-schema';

let h: Harness;
let listener: Listener;
beforeAll(async () => {
  h = await startHarness({ fulfilment: { minuteMs: 1 }, hub: { delivery: { pollMs: 500 } } });
  listener = await new Listener().start();
});
afterAll(async () => {
  await listener?.stop();
  await h?.stop();
});

const alerts = [
  'ProductOrderJeopardyAlertEvent',
  'ProductOrderInformationRequiredEvent',
  'ProductOrderMilestoneEvent',
];

describe('TMF622 hub alerts', () => {
  it('announces jeopardy, a fall-out that needs information and every milestone, each once, in order', async () => {
    const crm = h.as('crm', 'integration');
    const subscribed = await crm('POST', '/tmf-api/productOrderingManagement/v4/hub', {
      callback: listener.url,
      query: `eventType=${alerts.join(',')}`,
    });
    expect(subscribed.status, JSON.stringify(subscribed.body)).toBe(201);

    const { orderId } = await orderFor(h, {
      members: [site('ham', 'Hamburg HQ')],
      items: [
        { offeringCode: 'SDWAN_SITE', appliesTo: { member: 'ham' } },
        { offeringCode: 'MANAGED_FIREWALL', appliesTo: { member: 'ham' } },
        { offeringCode: 'MULTISITE_DEPLOYMENT' },
      ],
    });
    const of = (type: string) => listener.events(orderId).filter((e) => e.eventType === type);

    // The site visit runs past its plan, then past twice its plan: the order turns yellow, then red.
    await eventually(
      async () => (of('ProductOrderJeopardyAlertEvent').length === 2 ? true : undefined),
      'the jeopardy alerts',
      30_000,
    );
    const visit = await runningTask(h, orderId, 'field');
    expect((await h.by('technician')('POST', `/tasks/${visit}/complete`, {})).status).toBe(202);

    // The firewall policy cannot be applied without the customer's rule set: a validation fall-out.
    const policy = await runningTask(h, orderId, 'manual');
    const reason = 'customer has not sent the rule set';
    expect((await h.by('secops')('POST', `/tasks/${policy}/fail`, { reason })).status).toBe(202);
    const fallout = await eventually(async () => {
      const res = await h.http('GET', `/fallouts?orderId=${orderId}&state=open`);
      return res.body.fallouts?.[0];
    }, 'the fall-out case');
    expect(fallout.type).toBe('validation');
    await eventually(
      async () => (of('ProductOrderInformationRequiredEvent').length > 0 ? true : undefined),
      'the information-required event',
    );
    const resolved = await h.http('POST', `/fallouts/${fallout.id}/resolve`, {
      action: 'complete',
      data: { ruleSet: 'RS-2026-114' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);

    // The rest of the order, the deployment project's four milestones included, worked to the end.
    await workToCompletion(h, orderId);
    await eventually(
      async () => (of('ProductOrderMilestoneEvent').length === 4 ? true : undefined),
      'the four milestones',
    );

    const project = (await h.http('GET', `/tasks?orderId=${orderId}&kind=project`)).body.tasks[0].id;
    const events = listener.events(orderId);
    expect(events.map((e) => [e.eventType, e.description])).toEqual([
      ['ProductOrderJeopardyAlertEvent', 'yellow'],
      ['ProductOrderJeopardyAlertEvent', 'red'],
      ['ProductOrderInformationRequiredEvent', reason],
      ...['kickOff', 'sitesSurveyed', 'cutOver', 'handedOver'].map((m) => [
        'ProductOrderMilestoneEvent',
        `${project}: ${m}`,
      ]),
    ]);
    for (const e of events) {
      expect(e.event.productOrder?.id).toBe(orderId);
      expectTmf('ProductOrder', e.event.productOrder);
    }
    expectTmf('ProductOrderInformationRequiredEvent', events[2]);
    const times = events.map((e) => Date.parse(e.eventTime));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  }, 120_000);
});
