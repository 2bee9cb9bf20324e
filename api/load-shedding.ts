/**
 * Load shedding: past what the process can serve, a request is answered at once with 503 `unavailable` and
 * `Retry-After`, in the error model, instead of queueing for the database pool or the Temporal client until
 * the caller times out (or the process runs out of memory). Two bounds:
 *
 * - requests in flight (`API_MAX_IN_FLIGHT`): every request holds one until its answer is written or its
 *   connection closes. The database pool (10 connections) and the Temporal client queue what is past their
 *   size; this bounds that queue.
 * - the event loop's delay (`API_MAX_EVENT_LOOP_DELAY_MS`, @fastify/under-pressure's sampled mean): a
 *   process that answers late is a process that should answer fewer.
 *
 * `/health` and `/metrics` are never shed: they are how an operator sees the overload.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

export interface LoadLimits {
  /** Requests served at once; 0 for no bound (default 512). */
  maxInFlight?: number;
  /** Sampled event-loop delay past which requests are shed; 0 for no bound (default 1000). */
  maxEventLoopDelayMs?: number;
}

const RETRY_AFTER_SECONDS = 1;
const neverShed = (request: FastifyRequest) => {
  const url = request.url;
  return url === '/health' || url.startsWith('/health?') || url === '/metrics' || url.startsWith('/metrics?');
};

function overloaded(reply: FastifyReply, why: string): ApiError {
  reply.header('Retry-After', String(RETRY_AFTER_SECONDS));
  return new ApiError(
    503,
    'unavailable',
    `The API is overloaded (${why}); retry after ${RETRY_AFTER_SECONDS} s`,
  );
}

/** Registers both bounds; call before the routes and before authentication, so shedding costs nothing. */
export async function registerLoadShedding(app: FastifyInstance, limits: LoadLimits = {}): Promise<void> {
  const maxInFlight = limits.maxInFlight ?? 512;
  const maxEventLoopDelay = limits.maxEventLoopDelayMs ?? 1000;
  let inFlight = 0;
  if (maxInFlight > 0) {
    const holding = new WeakSet<FastifyRequest>();
    const giveBack = async (request: FastifyRequest) => {
      if (holding.delete(request)) inFlight--;
    };
    app.addHook('onRequest', async (request, reply) => {
      if (neverShed(request)) return;
      if (inFlight >= maxInFlight) throw overloaded(reply, `${maxInFlight} requests in flight`);
      inFlight++;
      holding.add(request);
    });
    // The slot is given back once, when the answer is written or the client has gone.
    app.addHook('onResponse', giveBack);
    app.addHook('onRequestAbort', giveBack);
  }
  if (maxEventLoopDelay > 0)
    await app.register(underPressure, {
      maxEventLoopDelay,
      pressureHandler: (request, reply, type, value) => {
        if (neverShed(request)) return undefined;
        const why = type === 'eventLoopDelay' ? `event loop ${Math.round(Number(value))} ms late` : type;
        return Promise.reject(overloaded(reply, why));
      },
    });
}
