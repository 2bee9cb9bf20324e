/**
 * The OpenAPI document says what every route does besides its own schema: the answers the API gives to
 * any route (401, 403, 429, 503, …) and the rule that text holds no NUL character (`input-guards.ts`).
 * Applied to the document of every route, so a route added tomorrow is described as well.
 */
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { errorResponse } from './schemas/common';
import { NO_NUL_NOT_BLANK_PATTERN, NO_NUL_PATTERN } from './input-guards';

type JsonSchema = Record<string, unknown>;

const { $schema: _dialect, ...errorJsonSchema } = z.toJSONSchema(errorResponse, {
  io: 'output',
}) as JsonSchema;

/** No NUL; with a minimum, that many characters once the blanks around them are trimmed. */
function textPattern(minLength: number): string {
  if (minLength <= 0) return NO_NUL_PATTERN;
  if (minLength === 1) return NO_NUL_NOT_BLANK_PATTERN;
  const solid = '[^\\s\\ufeff\\u0000]';
  return `^\\s*${solid}[^\\u0000]{${minLength - 2},}${solid}\\s*$`;
}

/** Adds `pattern` to every string of an input schema that has no pattern, enum or format of its own. */
function forbidNul(schema: unknown): void {
  if (!schema || typeof schema !== 'object') return;
  if (Array.isArray(schema)) {
    schema.forEach(forbidNul);
    return;
  }
  const s = schema as JsonSchema;
  const types = [s.type].flat();
  if (types.includes('string') && !('pattern' in s) && !('enum' in s) && !('const' in s) && !('format' in s))
    // Every non-empty string of the schemas is trimmed first: blank text is as short as empty text.
    s.pattern = textPattern(Number(s.minLength ?? 0));
  // The keys of an object that takes any are text too (zod writes `propertyNames: { type: 'string' }` for a record).
  if (types.includes('object') && s.additionalProperties !== false) {
    const names = (s.propertyNames ?? {}) as JsonSchema;
    if (!('pattern' in names) && !('enum' in names)) s.propertyNames = { ...names, pattern: NO_NUL_PATTERN };
  }
  for (const [key, value] of Object.entries(s)) {
    // `not` inverts its schema: a pattern there would allow NUL instead.
    if (['not', 'pattern', 'enum', 'const', 'examples', 'propertyNames'].includes(key)) continue;
    if (value && typeof value === 'object') forbidNul(value);
  }
}

/**
 * Wraps the zod transform: input strings forbid NUL; every operation declares 503 (database or Temporal
 * unreachable) and 429 (rate limit); a guarded one 401 and 403; one with input 400; one with path
 * parameters 414 (past `MAX_PATH_PARAM_LENGTH`); one with a body 415.
 */
export function withDocumentedRules<S extends FastifySchema>(
  transform: SwaggerTransform<S>,
): SwaggerTransform<S> {
  return (input) => {
    const out = transform(input);
    const schema = out.schema as JsonSchema;
    if (!schema || input.url.startsWith('/docs')) return out;
    // A body whose media types differ in shape (a CSV, or a form carrying it as a file) is documented per type.
    if (schema.bodyByMediaType) {
      const content = schema.bodyByMediaType as Record<string, JsonSchema>;
      schema.body = {
        content: Object.fromEntries(Object.entries(content).map(([type, s]) => [type, { schema: s }])),
      };
      delete schema.bodyByMediaType;
    }
    for (const part of ['body', 'querystring', 'params', 'headers']) forbidNul(schema[part]);
    const response = { ...((schema.response as JsonSchema | undefined) ?? {}) };
    const declare = (status: number, description: string) => {
      if (!(status in response) && !(String(status) in response))
        response[status] = { description, ...structuredClone(errorJsonSchema) };
    };
    const hasInput = ['body', 'querystring', 'params', 'headers'].some((part) => schema[part]);
    if (hasInput)
      declare(400, 'validation_failed: the request does not parse; details name each field and rule');
    if (schema.security) {
      declare(401, 'unauthenticated: no bearer token, or one the issuer did not sign');
      declare(403, 'forbidden: the token lacks a role this route admits');
    }
    if (schema.params) declare(414, 'uri_too_long: a path parameter past the router limit');
    if (schema.body) declare(415, 'validation_failed: the body is not JSON');
    declare(429, 'rate_limited: too many requests from one principal');
    declare(503, 'unavailable: the database, Temporal or the identity provider cannot be reached');
    return { ...out, schema: { ...schema, response } as FastifySchema };
  };
}

declare module 'fastify' {
  interface FastifySchema {
    /**
     * The body as the OpenAPI document shows it, one JSON Schema per media type, where the types differ in
     * shape; `body` (zod) still validates what the parser yields.
     */
    bodyByMediaType?: Record<string, Record<string, unknown>>;
  }
}

/**
 * A body the route takes or not (its schema `.nullish()`: hold, resume, cancel with an optional reason)
 * is `required: false` in the document; @fastify/swagger marks every body required.
 */
export function withOptionalBodies(document: Record<string, unknown>): Record<string, unknown> {
  const paths = (document.paths ?? {}) as Record<string, Record<string, JsonSchema>>;
  for (const operations of Object.values(paths))
    for (const operation of Object.values(operations)) {
      const body = operation.requestBody as JsonSchema | undefined;
      const content = (body?.content ?? {}) as Record<string, JsonSchema>;
      const accepts = Object.values(content).map((media) => media.schema as JsonSchema | undefined);
      if (body && accepts.length > 0 && accepts.every((schema) => schema && acceptsNull(schema)))
        body.required = false;
    }
  return document;
}

function acceptsNull(schema: JsonSchema): boolean {
  const anyOf = schema.anyOf as JsonSchema[] | undefined;
  return schema.type === 'null' || (Array.isArray(anyOf) && anyOf.some((s) => s.type === 'null'));
}
