/**
 * What the API refuses, or answers, for every route at once, so that a route added tomorrow is covered
 * without a line of its own: text PostgreSQL cannot store, a method a path does not have, a URL the router
 * cannot read. The OpenAPI document declares the same rules (see `documentInputRules`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { ApiError, type ErrorDetail } from './errors';

/**
 * Path parameters up to this length reach their schema (which names the field and its `maxLength` in a
 * 400); the router answers 414 only past it. Node refuses a request line over 16 KiB before we see it.
 */
export const MAX_PATH_PARAM_LENGTH = 4096;
/** A request with NUL bytes everywhere is refused whole; naming the first few fields is enough. */
const MAX_TEXT_DETAILS = 20;

/** JSON Schema `pattern` for "no NUL character": PostgreSQL refuses U+0000 in `text` and `jsonb`. */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
/** The same for a required string, which the schemas trim first: at least one character that is not blank. */
export const NO_NUL_NOT_BLANK_PATTERN = '^\\s*[^\\s\\ufeff\\u0000][^\\u0000]*$';

/** The router's own refusals (a URL that does not decode, a path parameter past any limit), in our shape. */
export const routerOptions: Pick<FastifyServerOptions, 'routerOptions' | 'frameworkErrors'> = {
  routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
  frameworkErrors: (error, _request, replyOfRoute) => {
    const reply = replyOfRoute as FastifyReply;
    const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
    const rule = status === 414 ? 'max_length' : 'encoding';
    const message =
      status === 414
        ? `A path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters`
        : 'The URL is not valid percent-encoded UTF-8';
    void reply.code(status).send({
      error: {
        code: status === 414 ? 'uri_too_long' : 'validation_failed',
        message,
        details: [{ field: 'url', rule, message }],
      },
    });
  },
};

/**
 * Which problem a string has that PostgreSQL (or any I-JSON reader, RFC 7493) cannot take: a NUL
 * character, or half of a UTF-16 surrogate pair (postgres.js would store U+FFFD in its place).
 */
// With the u flag a well-formed pair is one code point, so only an unpaired half matches.
const loneSurrogate = /[\uD800-\uDFFF]/u;

function textProblem(text: string): 'nul_character' | 'lone_surrogate' | undefined {
  if (text.includes('\u0000')) return 'nul_character';
  if (loneSurrogate.test(text)) return 'lone_surrogate';
  return undefined;
}

function collectTextProblems(value: unknown, field: string, out: ErrorDetail[], depth = 0): void {
  if (out.length >= MAX_TEXT_DETAILS || depth > 64) return;
  if (typeof value === 'string') {
    const rule = textProblem(value);
    if (rule)
      out.push({
        field,
        rule,
        message:
          rule === 'nul_character'
            ? 'must not contain the NUL character (U+0000)'
            : 'must not contain an unpaired UTF-16 surrogate',
      });
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => collectTextProblems(item, `${field}.${i}`, out, depth + 1));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const rule = textProblem(key);
      if (rule)
        out.push({ field: `${field}.${JSON.stringify(key)}`, rule, message: 'a property name must be text' });
      collectTextProblems(item, `${field}.${key}`, out, depth + 1);
    }
  }
}

/** Every route's method, by path pattern: what a 405 lists in `Allow`. */
class RouteTable {
  private readonly byPattern = new Map<string, { regex: RegExp; methods: Set<string> }>();

  add(url: string, methods: string | string[]): void {
    let entry = this.byPattern.get(url);
    if (!entry) {
      entry = { regex: patternRegex(url), methods: new Set() };
      this.byPattern.set(url, entry);
    }
    for (const method of [methods].flat()) entry.methods.add(method.toUpperCase());
  }

  /** The methods some route serves at this concrete path, none when no route's pattern matches it. */
  methodsAt(path: string): string[] {
    const methods = new Set<string>();
    for (const { regex, methods: m } of this.byPattern.values())
      if (regex.test(path)) for (const method of m) methods.add(method);
    return [...methods].sort();
  }
}

/** `/orders/:id/cancel` → `^/orders/[^/]+/cancel/?$`; `*` matches the rest of the path. */
function patternRegex(url: string): RegExp {
  const body = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    })
    .join('/');
  return new RegExp(`^${body}/?$`);
}

type ZodLike = { _zod?: { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } } };

/** The query parameters a route reads as numbers (`z.coerce.number()`, under `optional`/`default`). */
function numericKeys(schema: unknown): string[] {
  const shape = (schema as ZodLike)?._zod?.def?.shape ?? {};
  return Object.keys(shape).filter((key) => {
    let def = (shape[key] as ZodLike)?._zod?.def;
    while (def && (def.type === 'optional' || def.type === 'default'))
      def = (def.innerType as ZodLike)?._zod?.def;
    return def?.type === 'number';
  });
}

/**
 * A number sent empty (`?offset=`) is refused: coercion would read it as 0, a value the caller never sent,
 * and the document's `type: integer` says an empty value is not one.
 */
function collectEmptyNumbers(query: unknown, keys: string[], out: ErrorDetail[]): void {
  const values = (query ?? {}) as Record<string, unknown>;
  for (const key of keys) {
    const value = values[key];
    const texts = Array.isArray(value) ? value : [value];
    if (texts.some((text) => typeof text === 'string' && text.trim() === ''))
      out.push({
        field: `querystring.${key}`,
        rule: 'invalid_type',
        message: 'a number is required, not an empty value',
      });
  }
}

/**
 * Registers the guards: call before any route (the route table fills as routes are added). Text is
 * checked before the schemas run, so a NUL byte in a body, query or path parameter the route declares is a
 * 400 naming its field and rule wherever it is, even in free-form `data`.
 */
export function registerInputGuards(app: FastifyInstance): RouteMethods {
  const routes = new RouteTable();
  app.decorate('routeMethods', routes);
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  app.addHook('preValidation', async (request: FastifyRequest) => {
    // Only what the route reads: a body sent to a route that declares none is never looked at.
    const schema = request.routeOptions.schema ?? {};
    const problems: ErrorDetail[] = [];
    if (schema.params) collectTextProblems(request.params, 'params', problems);
    if (schema.querystring) {
      collectTextProblems(request.query, 'querystring', problems);
      collectEmptyNumbers(request.query, numericKeys(schema.querystring), problems);
    }
    if (schema.body) collectTextProblems(request.body, 'body', problems);
    if (problems.length)
      throw new ApiError(
        400,
        'validation_failed',
        `The request is invalid: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
        problems,
      );
  });
  return routes;
}

export interface RouteMethods {
  methodsAt(path: string): string[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route's methods by path, for the 405s of encapsulated error handlers (the TMF APIs'). */
    routeMethods: RouteMethods;
  }
}

type ErrorBody = { code: string; message: string; details: ErrorDetail[] };

/**
 * 405 with `Allow` when the path exists under other methods; else false (the caller answers 404). `shape`
 * gives the body its API's shape (the TMF APIs answer theirs).
 */
export function refuseMethod(
  routes: RouteMethods,
  request: FastifyRequest,
  reply: FastifyReply,
  shape: (statusCode: number, error: ErrorBody) => unknown = (_status, error) => ({ error }),
): boolean {
  const path = request.url.split('?')[0];
  const allowed = routes.methodsAt(path);
  if (!allowed.length) return false;
  const message = `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`;
  void reply
    .code(405)
    .header('allow', allowed.join(', '))
    .send(
      shape(405, {
        code: 'method_not_allowed',
        message,
        details: [{ field: 'method', rule: 'allowed_methods', message }],
      }),
    );
  return true;
}
