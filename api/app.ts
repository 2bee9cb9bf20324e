import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { AppDeps } from './deps';
import { openApiSecurity, registerSecurity } from './auth';
import { withLinks } from './document-links';
import { withDocumentedRules, withOptionalBodies } from './document-rules';
import { ApiError, registerErrorHandler } from './errors';
import { registerInputGuards, routerOptions } from './input-guards';
import { registerLoadShedding } from './load-shedding';
import { registerObservability } from './observability';
import { serializerCompiler } from './serializers';
import { accountRoutes } from './routes/accounts';
import { approvalRoutes } from './routes/approvals';
import { catalogRoutes } from './routes/catalog';
import { falloutRoutes } from './routes/fallouts';
import { healthRoutes } from './routes/health';
import { metricsRoutes } from './routes/metrics';
import { orderGraphRoutes } from './routes/order-graph';
import { orderRoutes } from './routes/orders';
import { proposalRoutes } from './routes/proposals';
import { quoteMemberRoutes } from './routes/quote-members';
import { quoteRoutes } from './routes/quotes';
import { salesRoutes } from './routes/sales';
import { simulatorRoutes } from './routes/simulator';
import { taskRoutes } from './routes/tasks';
import { tmfReadRoutes } from './routes/tmf-reads';
import { tmfProductOrderingRoutes } from './routes/tmf-product-ordering';

/** The HTTP API: thin routes over services (database, Temporal client); closes nothing it did not open. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: 10 * 1024 * 1024,
    ...routerOptions,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Before any route: NUL bytes refused, 405 for a method a path lacks, for every route added below.
  registerErrorHandler(app, registerInputGuards(app));
  registerObservability(app);
  // Past what the process can serve: 503 at once, before authentication or the database is reached.
  await registerLoadShedding(app, deps.load);
  // Actions such as `POST /quotes/:id/submit` carry no body; many clients still send the JSON content type.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(
        new ApiError(400, 'validation_failed', `The body is not valid JSON: ${(err as Error).message}`, [
          { field: 'body', rule: 'json', message: (err as Error).message },
        ]),
        undefined,
      );
    }
  });

  await app.register(swagger, {
    openapi: {
      // 3.1: JSON Schema 2020-12, so `propertyNames` (no NUL in a key) and `const` mean what they say.
      openapi: '3.1.0',
      info: {
        title: 'Telecom order orchestration API',
        description: 'Quotes, orders, tasks and fall-outs of the telecom order-orchestration engine.',
        version: '0.1.0',
      },
      ...openApiSecurity,
    },
    transform: withDocumentedRules(jsonSchemaTransform),
    // The named zod schemas (`.meta({ id })`, e.g. `JsonValue`) as components the routes refer to, and the
    // links from an answer's ID to the operations it opens.
    transformObject: (input) =>
      withOptionalBodies(withLinks(jsonSchemaTransformObject(input) as Record<string, unknown>)),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await registerSecurity(app, deps);
  await app.register(metricsRoutes(deps));

  await app.register(healthRoutes(deps));
  await app.register(catalogRoutes(deps));
  await app.register(accountRoutes(deps));
  await app.register(salesRoutes(deps));
  await app.register(quoteRoutes(deps));
  await app.register(quoteMemberRoutes(deps));
  await app.register(proposalRoutes(deps));
  await app.register(approvalRoutes(deps));
  await app.register(orderRoutes(deps));
  await app.register(orderGraphRoutes(deps));
  await app.register(taskRoutes(deps));
  await app.register(falloutRoutes(deps));
  await app.register(tmfProductOrderingRoutes(deps));
  await app.register(tmfReadRoutes(deps));
  if (deps.devMode) await app.register(simulatorRoutes(deps));
  return app;
}
