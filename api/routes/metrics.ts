import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { allow, publicAccess } from '../auth';
import { createApiMetrics, scrapeMetrics } from '../services/metrics';

/**
 * `GET /metrics` for Prometheus, and the timing of every request. Registered without encapsulation
 * (`skip-override`) so that its hook sees the routes of every other plugin.
 */
export const metricsRoutes = (deps: AppDeps): FastifyPluginAsyncZod => {
  const plugin: FastifyPluginAsyncZod = async (app) => {
    const metrics = createApiMetrics(deps);
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpDuration.observe(
        {
          method: request.method,
          // The route's pattern keeps the series few; an unknown path is one series, whatever its URL.
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });

    app.get(
      '/metrics',
      {
        config: { access: deps.metricsPublic ? publicAccess : allow('admin', 'viewer') },
        schema: {
          summary:
            'Prometheus metrics: HTTP requests, the process, and business gauges counted at scrape time',
          tags: ['operations'],
          // The exposition format on 200; errors stay JSON.
          produces: ['text/plain', 'application/json'],
          response: { 200: z.string() },
        },
      },
      async (_request, reply) => {
        const { contentType, body } = await scrapeMetrics(metrics);
        return reply.type(contentType).send(body);
      },
    );
  };
  return Object.assign(plugin, { [Symbol.for('skip-override')]: true });
};
