/**
 * OpenAPI links: what an answer's ID lets a client do next (a new account gets quotes, a quote is submitted
 * and ordered, an order is followed, held, amended and cancelled). A client generator reads them, and so
 * does the fuzzer's stateful phase, which then reaches the operations that need a resource that exists.
 */
type JsonObject = Record<string, unknown>;

interface Link {
  from: string;
  status: string;
  to: string;
  parameters?: Record<string, string>;
  /** Merged into the body the client (or the fuzzer) writes. */
  requestBody?: JsonObject;
}

const id = '$response.body#/id';
const byId = { id };
const tmf = '/tmf-api/productOrderingManagement/v4';
/** Every TMF API with a hub, and the resource its list answers (an array of them). */
const tmfApis: [string, string][] = [
  ['productOrderingManagement', 'productOrder'],
  ['quoteManagement', 'quote'],
  ['serviceOrdering', 'serviceOrder'],
  ['productInventory', 'product'],
  ['serviceInventory', 'service'],
];

/** Source operation, its success status, and each operation the answer's ID opens. */
const links: Link[] = [
  ...['GET /accounts/{id}', 'GET /accounts/{id}/inventory', 'GET /accounts/{id}/agreements'].map((to) => ({
    from: 'POST /accounts',
    status: '201',
    to,
    parameters: byId,
  })),
  ...['POST /quotes', 'POST /agreements'].map((to) => ({
    from: 'POST /accounts',
    status: '201',
    to,
    requestBody: { accountId: id },
  })),
  { from: 'POST /leads', status: '201', to: 'GET /leads/{id}', parameters: byId },
  { from: 'POST /leads', status: '201', to: 'POST /leads/{id}/convert', parameters: byId },
  { from: 'POST /agreements', status: '201', to: 'GET /agreements/{id}', parameters: byId },
  ...[
    'GET /quotes/{id}',
    'PATCH /quotes/{id}',
    'POST /quotes/{id}/submit',
    'POST /quotes/{id}/decisions',
    'POST /quotes/{id}/accept',
    'POST /quotes/{id}/members',
  ].map((to) => ({ from: 'POST /quotes', status: '201', to, parameters: byId })),
  ...[
    'GET /quotes/{id}/versions/{version}/proposal.pdf',
    'GET /quotes/{id}/versions/{version}/proposal.html',
  ].map((to) => ({
    from: 'POST /quotes',
    status: '201',
    to,
    parameters: { id, version: '$response.body#/version' },
  })),
  { from: 'POST /quotes/{id}/accept', status: '200', to: 'POST /orders', requestBody: { quoteId: id } },
  ...[
    'GET /orders/{id}',
    'GET /orders/{id}/audit',
    'GET /orders/{id}/graph',
    'GET /orders/{id}/amendments',
    'POST /orders/{id}/amendments',
    'POST /orders/{id}/hold',
    'POST /orders/{id}/resume',
    'POST /orders/{id}/cancel',
  ].map((to) => ({ from: 'POST /orders', status: '202', to, parameters: byId })),
  ...[`GET ${tmf}/productOrder/{id}`, `PATCH ${tmf}/productOrder/{id}`].map((to) => ({
    from: `POST ${tmf}/productOrder`,
    status: '201',
    to,
    parameters: byId,
  })),
  {
    from: `POST ${tmf}/productOrder`,
    status: '201',
    to: `POST ${tmf}/cancelProductOrder`,
    requestBody: { productOrder: { id } },
  },
  {
    from: `POST ${tmf}/cancelProductOrder`,
    status: '201',
    to: `GET ${tmf}/cancelProductOrder/{id}`,
    parameters: byId,
  },
  // A work list's first entry: what a back-office screen opens next.
  ...['POST /tasks/{id}/complete', 'POST /tasks/{id}/fail'].map((to) => ({
    from: 'GET /tasks',
    status: '200',
    to,
    parameters: { id: '$response.body#/tasks/0/id' },
  })),
  ...['GET /fallouts/{id}', 'POST /fallouts/{id}/work', 'POST /fallouts/{id}/resolve'].map((to) => ({
    from: 'GET /fallouts',
    status: '200',
    to,
    parameters: { id: '$response.body#/fallouts/0/id' },
  })),
  ...tmfApis.flatMap(([api, resource]) => [
    ...['GET', 'DELETE'].map((method) => ({
      from: `POST /tmf-api/${api}/v4/hub`,
      status: '201',
      to: `${method} /tmf-api/${api}/v4/hub/{id}`,
      parameters: byId,
    })),
    {
      from: `GET /tmf-api/${api}/v4/${resource}`,
      status: '200',
      to: `GET /tmf-api/${api}/v4/${resource}/{id}`,
      parameters: { id: '$response.body#/0/id' },
    },
  ]),
];

/** `#/paths/~1quotes~1{id}/get` for `GET /quotes/{id}` (RFC 6901 escapes `/` as `~1`). */
function operationRef(operation: string): [string, string, string] {
  const [method, path] = operation.split(' ') as [string, string];
  const pointer = path.replaceAll('~', '~0').replaceAll('/', '~1');
  return [method.toLowerCase(), path, `#/paths/${pointer}/${method.toLowerCase()}`];
}

/** Adds the links to the document's responses; a link whose source or target is not documented is left out. */
export function withLinks(document: JsonObject): JsonObject {
  const paths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const link of links) {
    const [fromMethod, fromPath] = operationRef(link.from);
    const [toMethod, toPath, ref] = operationRef(link.to);
    const response = (paths[fromPath]?.[fromMethod]?.responses as Record<string, JsonObject> | undefined)?.[
      link.status
    ];
    if (!response || !paths[toPath]?.[toMethod]) continue;
    const name = `${toMethod}${toPath.replace(/[^A-Za-z0-9]+/g, '_')}`;
    const definition: JsonObject = { operationRef: ref };
    if (link.parameters) definition.parameters = link.parameters;
    if (link.requestBody) definition.requestBody = link.requestBody;
    response.links = { ...((response.links as JsonObject | undefined) ?? {}), [name]: definition };
  }
  return document;
}
