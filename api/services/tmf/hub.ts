/**
 * TMF event hub subscriptions (`POST /hub`, `GET`/`DELETE /hub/{id}`), on TMF622 and on each read API. A
 * subscription is a row and a `hub:<id>` workflow that delivers its API's events from the outbox to its
 * callback (workflows/hub-delivery.ts).
 */
import { randomBytes } from 'node:crypto';
import { and, eq, max } from 'drizzle-orm';
import { tmfEvents, tmfHubSubscriptions } from '../../../db/schema';
import { queryProblems, type HubApi } from '../../../domain/tmf-events';
import type { Actor } from '../../../domain/roles';
import { defaultHubDeliverySettings, workflowId, type HubDeliveryInput } from '../../../workflows/contracts';
import type { hubDelivery } from '../../../workflows/hub-delivery';
import type { AppDeps } from '../../deps';
import { notFound, unprocessable, type ErrorDetail } from '../../errors';
import { newId } from '../../ids';
import type { HubSubscriptionBody } from '../../schemas/tmf';

type SubscriptionRow = typeof tmfHubSubscriptions.$inferSelect;

const view = (row: SubscriptionRow, secret?: string) => ({
  id: row.id,
  callback: row.callback,
  ...(row.query ? { query: row.query } : {}),
  ...(secret ? { secret } : {}),
  state: row.state,
  ...(row.lastError ? { lastError: row.lastError } : {}),
  ...(row.failingSince ? { failingSince: row.failingSince } : {}),
  ...(row.lastDeliveredAt ? { lastDeliveredAt: row.lastDeliveredAt } : {}),
  '@type': 'EventSubscription',
});

/** Loopback only, unless `HUB_CALLBACK_ALLOWLIST` names the hosts (`crm.example.com`, `*.partner.example`). */
export const loopbackHosts = ['localhost', '127.0.0.1', '[::1]'];

function callbackProblems(callback: string, allowlist: string[]): ErrorDetail[] {
  let url: URL;
  try {
    url = new URL(callback);
  } catch {
    return [{ field: 'body.callback', rule: 'url', message: 'callback is not an absolute URL' }];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return [{ field: 'body.callback', rule: 'url', message: 'callback must be an http or https URL' }];
  if (url.username || url.password)
    return [{ field: 'body.callback', rule: 'url', message: 'callback must not carry credentials' }];
  const host = url.hostname.toLowerCase();
  const allowed = allowlist.some((entry) =>
    entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry.toLowerCase(),
  );
  if (!allowed)
    return [
      {
        field: 'body.callback',
        rule: 'allowlist',
        message: `callback host ${host} is not on HUB_CALLBACK_ALLOWLIST (${allowlist.join(', ') || 'empty'})`,
      },
    ];
  return [];
}

export async function subscribe(deps: AppDeps, body: HubSubscriptionBody, who: Actor, api: HubApi) {
  const allowlist = deps.hub?.callbackAllowlist ?? (deps.devMode ? loopbackHosts : []);
  const problems = [
    ...callbackProblems(body.callback, allowlist),
    ...queryProblems(body.query ?? '', api).map((message) => ({ field: 'body.query', rule: 'query', message })),
  ];
  if (problems.length > 0) throw unprocessable('The subscription is refused', problems);
  const { db } = deps.database;
  const id = newId('HUB');
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  // Events from now on: the cursor starts at the last event recorded.
  const [{ last }] = await db.select({ last: max(tmfEvents.seq) }).from(tmfEvents);
  const [row] = await db
    .insert(tmfHubSubscriptions)
    .values({ id, api, callback: body.callback, query: body.query || null, secret, cursor: Number(last ?? 0), createdBy: who.subject })
    .returning();
  const input: HubDeliveryInput = {
    subscriptionId: id,
    settings: { ...defaultHubDeliverySettings, ...deps.hub?.delivery },
  };
  try {
    await deps.temporal.workflow.start<typeof hubDelivery>('hubDelivery', {
      workflowId: workflowId.hubDelivery(id),
      taskQueue: deps.taskQueue,
      args: [input],
    });
  } catch (err) {
    // No delivery without its workflow: leave no subscription behind.
    await db.delete(tmfHubSubscriptions).where(eq(tmfHubSubscriptions.id, id));
    throw err;
  }
  return view(row, secret);
}

/** A subscription is found only on the hub it was made on. */
const onHub = (id: string, api: HubApi) => and(eq(tmfHubSubscriptions.id, id), eq(tmfHubSubscriptions.api, api));

export async function getSubscription(deps: AppDeps, id: string, api: HubApi) {
  const [row] = await deps.database.db.select().from(tmfHubSubscriptions).where(onHub(id, api));
  if (!row) throw notFound('Hub subscription', id);
  return view(row);
}

export async function unsubscribe(deps: AppDeps, id: string, api: HubApi): Promise<void> {
  const [row] = await deps.database.db
    .delete(tmfHubSubscriptions)
    .where(onHub(id, api))
    .returning({ id: tmfHubSubscriptions.id });
  if (!row) throw notFound('Hub subscription', id);
  // The workflow ends by itself at its next poll or delivery; this only saves it the wait.
  await deps.temporal.workflow
    .getHandle(workflowId.hubDelivery(id))
    .terminate('subscription deleted')
    .catch(() => {});
}
