/**
 * TMF622 notifications: the event types the hub sends, the envelope each delivery carries, and the
 * subscription `query` that picks the events a listener wants. Pure: the outbox rows are written by the
 * code that makes each change (db/tmf-outbox.ts), the deliveries by activities/hub-delivery.ts.
 */

export const productOrderEventTypes = [
  'ProductOrderCreateEvent',
  'ProductOrderStateChangeEvent',
  'ProductOrderAttributeValueChangeEvent',
  'ProductOrderInformationRequiredEvent',
  'ProductOrderMilestoneEvent',
  'ProductOrderJeopardyAlertEvent',
  'CancelProductOrderCreateEvent',
  'CancelProductOrderStateChangeEvent',
] as const;
export type ProductOrderEventType = (typeof productOrderEventTypes)[number];

/**
 * The APIs with a hub of their own, each with the events it sends and the resource they carry: TMF622
 * product orders, TMF641 service orders (our domain orders), TMF637 products and TMF638 services (the
 * inventories), TMF648 quotes.
 */
export const hubApis = {
  productOrderingManagement: { resource: 'productOrder', eventTypes: productOrderEventTypes },
  serviceOrdering: {
    resource: 'serviceOrder',
    eventTypes: ['ServiceOrderCreateEvent', 'ServiceOrderStateChangeEvent'] as const,
  },
  productInventory: {
    resource: 'product',
    eventTypes: ['ProductCreateEvent', 'ProductStateChangeEvent'] as const,
  },
  serviceInventory: {
    resource: 'service',
    eventTypes: ['ServiceCreateEvent', 'ServiceStateChangeEvent'] as const,
  },
  quoteManagement: { resource: 'quote', eventTypes: ['QuoteCreateEvent', 'QuoteStateChangeEvent'] as const },
} as const;
export type HubApi = keyof typeof hubApis;
export type TmfEventType = (typeof hubApis)[HubApi]['eventTypes'][number];
/** The events of the APIs other than TMF622: about one resource each, recorded only while a hub listens. */
export type ResourceEventType = Exclude<TmfEventType, ProductOrderEventType>;

/** What the outbox keeps of a change: enough to say, at delivery, what was true when it happened. */
export interface RecordedEvent {
  eventType: TmfEventType;
  /** The order the event belongs to (its correlation id); a quote's events: the quote. */
  orderId: string;
  /** The resource of an event of another API than TMF622 (service order, product, service, quote). */
  resourceId?: string;
  /** The order's state when the change happened (a state change's new state). */
  state?: string;
  /** The cancellation a `CancelProductOrder…Event` is about, and its state then. */
  cancellation?: { id: string; state: string };
  /** The attributes an attribute-value change or a milestone names (`fieldPath` of the TMF event). */
  fieldPath?: string[];
  /** What the change was, in words (a fall-out's reason, a milestone's name, a jeopardy level). */
  description?: string;
}

/** The TMF event envelope (TMF688 `Event`) as the listener receives it. */
export interface EventEnvelope {
  eventId: string;
  eventTime: string;
  eventType: TmfEventType;
  correlationId: string;
  domain: HubApi;
  description?: string;
  fieldPath?: string;
  event: Record<string, unknown>;
}

/**
 * A subscription's `query` (TMF630: the same syntax as a list's filters): `eventType=A,B` and
 * `event.productOrder.state=completed`, each condition on a dotted path of the envelope, all of them
 * to hold, a comma meaning "any of". An empty query takes every event.
 */
export function parseQuery(query: string | null | undefined): { path: string[]; values: string[] }[] {
  if (!query) return [];
  return [...new URLSearchParams(query.replace(/^\?/, ''))].map(([key, value]) => ({
    path: key.split('.'),
    values: value.split(','),
  }));
}

/** The fields a query may name: the envelope's, and the resources' under `event.`. */
export function queryProblems(query: string, api: HubApi = 'productOrderingManagement'): string[] {
  const problems: string[] = [];
  const { eventTypes, resource } = hubApis[api];
  for (const { path, values } of parseQuery(query)) {
    const name = path.join('.');
    if (path[0] === 'eventType') {
      const unknown = values.filter((v) => !(eventTypes as readonly string[]).includes(v));
      if (unknown.length) problems.push(`eventType ${unknown.join(', ')} is not one this hub sends`);
    } else if (path[0] !== 'event' && !['eventId', 'correlationId', 'domain'].includes(name))
      problems.push(`${name} is not a field of the event (eventType, event.${resource}.…)`);
  }
  return problems;
}

function valueAt(root: unknown, path: string[]): unknown {
  let at: unknown = root;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** Whether an event passes a subscription's query. */
export function matches(query: string | null | undefined, envelope: EventEnvelope): boolean {
  return parseQuery(query).every(({ path, values }) => {
    const value = valueAt(envelope, path);
    return value !== undefined && value !== null && values.includes(String(value));
  });
}

/** Whether the event needs the whole order at delivery to be filtered or sent. */
export const carriesProductOrder = (type: ProductOrderEventType) => !type.startsWith('Cancel');

/** The API whose hub sends an event type. */
export const apiOf = (type: TmfEventType): HubApi =>
  (Object.keys(hubApis) as HubApi[]).find((api) =>
    (hubApis[api].eventTypes as readonly string[]).includes(type),
  )!;
