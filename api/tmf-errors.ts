/**
 * Errors under `/tmf-api/` in the TM Forum shape (`Error` of every TMF Open API: `code`, `reason`,
 * `message`, `status`). The status and the code are the ones our own error model chooses (`errors.ts`),
 * so a refusal means the same on both APIs; only the body's shape differs.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { toResponse } from './errors';
import { refuseMethod } from './input-guards';

export interface TmfError {
  code: string;
  reason: string;
  message?: string;
  status: string;
  '@type': 'Error';
}

export function tmfError(
  statusCode: number,
  error: { code: string; message: string; details: unknown[] },
): TmfError {
  const details = (error.details as { field?: string; message?: string }[])
    .filter((d) => d && typeof d === 'object' && d.message)
    .map((d) => (d.field ? `${d.field}: ${d.message}` : String(d.message)));
  return {
    code: error.code,
    reason: error.message,
    ...(details.length > 0 ? { message: details.join('; ') } : {}),
    status: String(statusCode),
    '@type': 'Error',
  };
}

/** The error and not-found handlers of a TMF API plugin (encapsulated: the rest of the API keeps its own). */
export function registerTmfErrorHandler(app: FastifyInstance): void {
  const shape = (statusCode: number, error: Parameters<typeof tmfError>[1]) => tmfError(statusCode, error);
  app.setNotFoundHandler((request, reply) => {
    if (refuseMethod(app.routeMethods, request, reply, shape)) return;
    reply.code(404).send(
      tmfError(404, {
        code: 'not_found',
        message: `No route ${request.method} ${request.url}`,
        details: [],
      }),
    );
  });
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A method the router does not route (QUERY, say) can fail body parsing before the not-found handler.
    if (request.is404 && refuseMethod(app.routeMethods, request, reply, shape)) return;
    const { statusCode, body } = toResponse(err);
    if (statusCode >= 500) request.log.error({ err }, 'request failed');
    reply.code(statusCode).send(tmfError(statusCode, body));
  });
}
