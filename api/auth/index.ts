import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../errors';
import { publicAccess, registerAccessControl } from './access';
import { createTokenVerifier, type AuthSettings } from './verifier';

export {
  actingRole,
  actingSubject,
  actorOf,
  allow,
  forbidden,
  principalOf,
  publicAccess,
  type Access,
} from './access';
export type { AuthSettings } from './verifier';

export interface SecuritySettings {
  auth: AuthSettings;
  /** Requests one principal (or one address, before it is known) may make per window; default 1200/min. */
  rateLimit?: { max: number; timeWindowMs?: number };
}

/** The OpenAPI document's bearer scheme, which Swagger UI's Authorize button fills in. */
export const openApiSecurity = {
  components: {
    securitySchemes: { bearerAuth: { type: 'http' as const, scheme: 'bearer', bearerFormat: 'JWT' } },
  },
};

/**
 * Security headers, authentication and roles on every route, and a rate limit per principal. Call after
 * the OpenAPI page is registered and before any route.
 */
export async function registerSecurity(app: FastifyInstance, settings: SecuritySettings): Promise<void> {
  // The API answers JSON; the docs page sets its own CSP for Swagger UI's scripts (staticCSP).
  await app.register(helmet, { global: true });
  registerAccessControl(app, createTokenVerifier(settings.auth));
  await app.register(rateLimit, {
    global: true,
    // After authentication, so that the limit is per principal: one busy client does not starve others
    // behind the same proxy address.
    hook: 'preHandler',
    max: settings.rateLimit?.max ?? 1200,
    timeWindow: settings.rateLimit?.timeWindowMs ?? 60_000,
    keyGenerator: (request) => (request.principal ? `sub:${request.principal.subject}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `Too many requests: at most ${context.max} per ${context.after}; retry after ${context.after}`,
      ),
  });
  if (settings.auth.kind === 'local') {
    const jwks = settings.auth.issuer.jwks();
    app.get(
      '/.well-known/jwks.json',
      {
        config: { access: publicAccess, rateLimit: false },
        schema: {
          summary: "The product's own token-signing keys (development issuer)",
          tags: ['auth'],
          response: { 200: z.looseObject({ keys: z.array(z.looseObject({ kty: z.string() })) }) },
        },
      },
      async () => jwks,
    );
  }
}
