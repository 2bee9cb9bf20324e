import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { failureOf, FailureType } from '../domain/failures';
import { refuseMethod } from './input-guards';
import { storeRefusal } from './store-errors';

export interface ErrorDetail {
  field: string;
  rule: string;
  message: string;
  /** For an uploaded file: the record (1 = the first after the header) and the column at fault. */
  row?: number;
  column?: string;
}

/** An error a user can cause, with the status and code of the API contract (`../shared/API.md`). */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code:
      | 'validation_failed'
      | 'unauthenticated'
      | 'forbidden'
      | 'not_found'
      | 'invalid_state'
      | 'unprocessable'
      | 'rate_limited'
      | 'unavailable'
      | 'method_not_allowed',
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError(404, 'not_found', `${what} ${id} does not exist`);
export const invalidState = (message: string, details: ErrorDetail[] = []) =>
  new ApiError(409, 'invalid_state', message, details);
export const unprocessable = (message: string, details: ErrorDetail[]) =>
  new ApiError(422, 'unprocessable', message, details);

/** One error handler for the whole API: every error is `{ error: { code, message, details } }`. */
export function registerErrorHandler(
  app: FastifyInstance,
  routes: { methodsAt(path: string): string[] } = { methodsAt: () => [] },
): void {
  app.setNotFoundHandler((request, reply) => {
    if (refuseMethod(routes, request, reply)) return;
    reply.code(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${request.url}`, details: [] },
    });
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A method the router does not route (QUERY, say) can fail body parsing before the not-found handler.
    if (request.is404 && refuseMethod(routes, request, reply)) return;
    const { statusCode, body } = toResponse(err);
    if (statusCode >= 500) request.log.error({ err }, 'request failed');
    reply.code(statusCode).send({ error: body });
  });
}

export function toResponse(err: FastifyError): {
  statusCode: number;
  body: { code: string; message: string; details: unknown[] };
} {
  if (err instanceof ApiError) {
    return {
      statusCode: err.statusCode,
      body: { code: err.code, message: err.message, details: err.details },
    };
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => {
      const issue = (v.params as { issue?: { code?: string; path?: PropertyKey[] } }).issue;
      const where = (err as { validationContext?: string }).validationContext ?? 'body';
      const path = issue?.path?.length
        ? issue.path.map(String).join('.')
        : v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return {
        field: path ? `${where}.${path}` : where,
        rule: issue?.code ?? v.keyword,
        message: v.message ?? 'is invalid',
      };
    });
    return {
      statusCode: 400,
      body: {
        code: 'validation_failed',
        message: `The request is invalid: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
        details,
      },
    };
  }
  if (
    err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    (err.statusCode === 400 && err instanceof SyntaxError)
  ) {
    return {
      statusCode: 400,
      body: {
        code: 'validation_failed',
        message: `The body is not valid JSON: ${err.message}`,
        details: [{ field: 'body', rule: 'json', message: err.message }],
      },
    };
  }
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      statusCode: 415,
      body: {
        code: 'validation_failed',
        message: err.message,
        details: [{ field: 'content-type', rule: 'media_type', message: err.message }],
      },
    };
  }
  if (err instanceof WorkflowNotFoundError) {
    return { statusCode: 404, body: { code: 'not_found', message: err.message, details: [] } };
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return {
      statusCode: 409,
      body: { code: 'invalid_state', message: `Already running: ${err.workflowId}`, details: [] },
    };
  }
  const refused = err instanceof WorkflowUpdateFailedError && failureOf(err.cause, FailureType.InvalidState);
  if (refused) {
    const [details] = (refused.details ?? []) as unknown[];
    return {
      statusCode: 409,
      body: {
        code: 'invalid_state',
        message: refused.message,
        details: Array.isArray(details) ? details : [],
      },
    };
  }
  const barred =
    err instanceof WorkflowUpdateFailedError &&
    failureOf(err.cause, FailureType.FourEyes, FailureType.Forbidden);
  if (barred) {
    const rule = barred.type === FailureType.FourEyes ? 'four_eyes' : 'role';
    return {
      statusCode: 403,
      body: {
        code: 'forbidden',
        message: barred.message,
        details: [{ field: 'authorization', rule, message: barred.message }],
      },
    };
  }
  const store = storeRefusal(err);
  if (store)
    return {
      statusCode: store.statusCode,
      body: { code: store.code, message: store.message, details: store.details },
    };
  if (isResponseSerializationError(err)) {
    return {
      statusCode: 500,
      body: { code: 'internal', message: 'The response did not match its schema', details: [] },
    };
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return { statusCode: err.statusCode, body: { code: 'bad_request', message: err.message, details: [] } };
  }
  return { statusCode: 500, body: { code: 'internal', message: 'Internal error', details: [] } };
}
