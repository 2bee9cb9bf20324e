/**
 * How answers become JSON. By default zod's serializer (fastify-type-provider-zod): it parses each answer
 * against its response schema, then stringifies the copy. A schema marked `fastSerialized` is written by
 * fast-json-stringify instead (fastify's own serializer), compiled once from the schema's JSON Schema, the
 * one the OpenAPI document shows: for the hot reads that back-office screens poll, where zod's parse and
 * copy of a whole order tree was the cost. The fields and their types are the same; what it does not do is
 * check the answer (our own rows) against the schema on every request.
 */
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

const compiled = new WeakMap<z.ZodType, (data: unknown) => string>();

export function fastSerialized<T extends z.ZodType>(schema: T): T {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'output', target: 'draft-7' });
  compiled.set(schema, fastJson(jsonSchema as Parameters<typeof fastJson>[0]) as (data: unknown) => string);
  return schema;
}

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = (route) =>
  compiled.get(route.schema) ?? zodSerializerCompiler(route);
