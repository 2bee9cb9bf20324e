/**
 * Our records as the TMF read APIs shape them: TMF648 `Quote` (a quote version and its lines), TMF641
 * `ServiceOrder` (a domain order and its tasks), TMF637 `Product` (product inventory) and TMF638 `Service`
 * (service inventory). Pure mappings (their loaders: ./tmf-resource-loaders); the README has the tables.
 */
import type {
  domainOrders,
  productInventory,
  quoteItems,
  quotes,
  quoteVersions,
  serviceInventory,
  tasks,
} from '../db/schema';
import { productOrderHref } from './tmf-product-order';

export const tmfBase = {
  quote: '/tmf-api/quoteManagement/v4',
  serviceOrder: '/tmf-api/serviceOrdering/v4',
  product: '/tmf-api/productInventory/v4',
  service: '/tmf-api/serviceInventory/v4',
} as const;

const customer = (accountId: string) => ({
  id: accountId,
  role: 'customer',
  '@referredType': 'Organization',
});
const money = (unit: string, value: number) => ({ unit, value });
const present = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;

// ---- TMF648 Quote ---------------------------------------------------------------------------------------
/** TMF648 has no `expired` or `superseded`: an expired quote is `cancelled`, a superseded version `cancelled`. */
const quoteState = (state: string) => (state === 'expired' || state === 'superseded' ? 'cancelled' : state);

function quotePrices(currency: string, recurring: number, oneOff: number) {
  return [
    {
      priceType: 'recurring',
      recurringChargePeriod: 'month',
      price: { dutyFreeAmount: money(currency, recurring) },
      '@type': 'QuotePrice',
    },
    { priceType: 'oneTime', price: { dutyFreeAmount: money(currency, oneOff) }, '@type': 'QuotePrice' },
  ];
}

/** Our state of a read API's resource as that API names it (only TMF648 needs a mapping). */
export const tmfStateOf = (api: string, state: string) =>
  api === 'quoteManagement' ? quoteState(state) : state;

export function toTmfQuote(
  quote: typeof quotes.$inferSelect,
  version: typeof quoteVersions.$inferSelect,
  lines: (typeof quoteItems.$inferSelect)[],
) {
  const current = version.version === quote.currentVersion;
  return {
    id: quote.id,
    href: `${tmfBase.quote}/quote/${quote.id}${current ? '' : `?version=${version.version}`}`,
    version: String(version.version),
    state: quoteState(current ? quote.state : version.state),
    quoteDate: version.createdAt,
    ...(quote.validUntil
      ? { validFor: { startDateTime: quote.createdAt, endDateTime: quote.validUntil } }
      : {}),
    relatedParty: [customer(quote.accountId)],
    ...(quote.agreementId ? { agreement: [{ id: quote.agreementId, '@referredType': 'Agreement' }] } : {}),
    quoteItem: lines.map((line) => ({
      id: String(line.lineNo),
      action: 'add',
      quantity: line.quantity,
      state: quoteState(current ? quote.state : version.state),
      productOffering: { id: line.offeringCode, '@referredType': 'ProductOffering' },
      ...(line.appliesToRef
        ? {
            product: {
              place: [{ id: line.appliesToRef, role: line.appliesToKind, '@referredType': 'GeographicSite' }],
              '@type': 'Product',
            },
          }
        : {}),
      quoteItemPrice: quotePrices(version.currency, line.recurringNet, line.oneOffNet),
      '@type': 'QuoteItem',
    })),
    quoteTotalPrice: quotePrices(version.currency, version.recurringTotal, version.oneOffTotal),
    '@type': 'Quote',
  };
}

// ---- TMF641 ServiceOrder --------------------------------------------------------------------------------
/** A task's state as TMF641's `ServiceOrderItemStateType`: waiting is acknowledged, skipped counts as done. */
const itemStates: Record<string, string> = {
  pending: 'acknowledged',
  ready: 'acknowledged',
  running: 'inProgress',
  completed: 'completed',
  skipped: 'completed',
  failed: 'failed',
  fatallyFailed: 'failed',
  onHold: 'held',
  cancelled: 'cancelled',
  superseded: 'cancelled',
};

export function toServiceOrder(
  domainOrder: typeof domainOrders.$inferSelect,
  work: (typeof tasks.$inferSelect)[],
  serviceId: string | undefined,
) {
  const startedAt = work
    .map((t) => t.startedAt)
    .filter((d): d is string => !!d)
    .sort()[0];
  const final = ['completed', 'failed', 'partial', 'cancelled'].includes(domainOrder.state);
  return {
    id: domainOrder.id,
    href: `${tmfBase.serviceOrder}/serviceOrder/${domainOrder.id}`,
    state: domainOrder.state,
    category: domainOrder.domain,
    ...present({ startDate: startedAt, expectedCompletionDate: domainOrder.dueDate }),
    ...(final ? { completionDate: domainOrder.updatedAt } : {}),
    // TMF641's ExternalReference names the order (`name`); its `href` must be an absolute URI, so none.
    externalReference: [{ name: domainOrder.orderId, externalReferenceType: 'productOrder' }],
    relatedEntity: [
      {
        id: domainOrder.orderId,
        href: productOrderHref(domainOrder.orderId),
        role: 'productOrder',
        '@referredType': 'ProductOrder',
      },
      ...domainOrder.orderItemIds.map((id) => ({
        id,
        role: 'productOrderItem',
        '@referredType': 'ProductOrderItem',
      })),
    ],
    ...(domainOrder.jeopardy !== 'green'
      ? {
          jeopardyAlert: [
            {
              jeopardyType: domainOrder.jeopardy,
              message: `the domain order is ${domainOrder.jeopardy}`,
              '@type': 'JeopardyAlert',
            },
          ],
        }
      : {}),
    serviceOrderItem: work.map((task) => ({
      id: task.id,
      action: 'add',
      state: itemStates[task.state] ?? 'acknowledged',
      service: {
        ...(serviceId ? { id: serviceId, href: `${tmfBase.service}/service/${serviceId}` } : {}),
        name: task.name,
        category: task.kind,
        serviceSpecification: { id: domainOrder.specCode, '@referredType': 'ServiceSpecification' },
        '@type': 'Service',
      },
      '@type': 'ServiceOrderItem',
    })),
    '@type': 'ServiceOrder',
  };
}

// ---- TMF637 Product and TMF638 Service --------------------------------------------------------------------
export function toTmfProduct(row: typeof productInventory.$inferSelect) {
  return {
    id: row.id,
    href: `${tmfBase.product}/product/${row.id}`,
    status: row.state,
    name: row.offeringCode,
    isBundle: false,
    ...present({ orderDate: row.createdAt, startDate: row.activatedAt }),
    productOffering: { id: row.offeringCode, '@referredType': 'ProductOffering' },
    productOrderItem: [
      {
        productOrderId: row.orderId,
        orderItemId: row.orderItemId,
        orderItemAction: 'add',
        productOrderHref: productOrderHref(row.orderId),
        '@referredType': 'ProductOrderItem',
      },
    ],
    place: [{ id: row.serviceAccountId, role: 'installationAddress', '@referredType': 'ServiceAccount' }],
    relatedParty: [customer(row.accountId)],
    '@type': 'Product',
  };
}

export function toTmfService(row: typeof serviceInventory.$inferSelect) {
  return {
    id: row.id,
    href: `${tmfBase.service}/service/${row.id}`,
    state: row.state,
    name: row.specCode,
    category: row.domain,
    serviceDate: row.createdAt,
    isServiceEnabled: row.state === 'active',
    serviceSpecification: { id: row.specCode, '@referredType': 'ServiceSpecification' },
    serviceCharacteristic: Object.entries(row.characteristics).map(([name, value]) => ({ name, value })),
    // The products it realises and the service order (domain order) that made it.
    relatedEntity: [
      ...row.productInventoryIds.map((id) => ({
        id,
        href: `${tmfBase.product}/product/${id}`,
        role: 'realizes',
        '@referredType': 'Product',
      })),
      {
        id: row.domainOrderId,
        href: `${tmfBase.serviceOrder}/serviceOrder/${row.domainOrderId}`,
        role: 'serviceOrder',
        '@referredType': 'ServiceOrder',
      },
    ],
    place: [{ id: row.serviceAccountId, role: 'installationAddress', '@referredType': 'ServiceAccount' }],
    relatedParty: [customer(row.accountId)],
    '@type': 'Service',
  };
}
