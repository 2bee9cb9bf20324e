import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Principal, Role } from '../../domain/roles';
import { ApiError } from '../errors';
import { AuthenticationError, IdentityProviderUnavailable, type TokenVerifier } from './verifier';

/** Who may call a route: declared next to its schema, `config: { access: allow('sales', 'viewer') }`. */
export type Access = { public: true } | { roles: readonly Role[] };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** The authenticated caller; set on every route that is not public. */
    principal?: Principal;
    /** The first of the route's roles that the caller holds: the role the audit trail records. */
    actingRole?: Role;
  }
}

export const publicAccess: Access = { public: true };
export const allow = (...roles: Role[]): Access => ({ roles });

/** The caller of a route that is not public (the access hook ran first). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal)
    throw new Error(`${request.method} ${request.url} read a principal on a public route`);
  return request.principal;
}

/** Who acts on this request, for the audit trail and the workflows. */
export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return { subject: principal.subject, role: request.actingRole ?? principal.roles[0] };
}

/** Which of the caller's roles admits them: the first of `wanted` they hold, or 403. */
export function actingRole(principal: Principal, wanted: readonly Role[], what: string): Role {
  const role = wanted.find((r) => principal.roles.includes(r));
  if (!role) throw forbidden(`${what} needs the role ${wanted.join(' or ')}; ${describe(principal)}`);
  return role;
}

export const forbidden = (message: string, rule = 'role', field = 'authorization') =>
  new ApiError(403, 'forbidden', message, [{ field, rule, message }]);

const describe = (p: Principal) =>
  `${p.subject} holds ${p.roles.length ? p.roles.join(', ') : 'no role of this product'}`;

const realm = 'order-orchestration';

/**
 * Authentication and role checks for every route (OWASP API1, API2, API5): each route must declare its
 * access, or the app refuses to start; the OpenAPI document shows the bearer scheme and each operation's
 * roles. `/docs` (the OpenAPI page) is public.
 */
export function registerAccessControl(app: FastifyInstance, verifier: TokenVerifier): void {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) {
      route.config = { ...route.config, access: publicAccess };
      return;
    }
    const access = route.config?.access;
    if (!access)
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access: add config.access`);
    if ('roles' in access && route.schema) {
      const note = `Roles: ${access.roles.map((r) => `\`${r}\``).join(', ')}.`;
      route.schema = {
        ...route.schema,
        security: [{ bearerAuth: [] }],
        description: route.schema.description ? `${route.schema.description}\n\n${note}` : note,
      };
    }
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    // No access declared: the not-found handler, which tells nothing a token would protect.
    if (!access || 'public' in access) return;
    const header = request.headers.authorization;
    const token = /^Bearer +([^\s]+) *$/i.exec(header ?? '')?.[1];
    if (!token) {
      reply.header('www-authenticate', `Bearer realm="${realm}"`);
      throw new ApiError(
        401,
        'unauthenticated',
        header
          ? 'The Authorization header is not `Bearer <token>`'
          : 'This needs a bearer token (Authorization: Bearer <token>)',
      );
    }
    try {
      request.principal = await verifier.verify(token);
    } catch (err) {
      if (err instanceof AuthenticationError) {
        const description = err.message.replaceAll('"', "'");
        reply.header(
          'www-authenticate',
          `Bearer realm="${realm}", error="invalid_token", error_description="${description}"`,
        );
        throw new ApiError(401, 'unauthenticated', err.message);
      }
      if (err instanceof IdentityProviderUnavailable) {
        request.log.error({ err }, 'identity provider unavailable');
        throw new ApiError(503, 'unavailable', 'The identity provider cannot be reached to check the token');
      }
      throw err;
    }
    request.actingRole = actingRole(
      request.principal,
      access.roles,
      `${request.method} ${request.routeOptions.url}`,
    );
  });
}

/**
 * The subject who acts, checked against a `by` the body may still carry (older clients): it must name the
 * caller, never someone else (OWASP API3: a field the caller must not set is refused, not trusted).
 */
export function actingSubject(request: FastifyRequest, claimedBy: string | undefined): string {
  const { subject } = principalOf(request);
  if (claimedBy !== undefined && claimedBy !== subject) {
    const message = `by names ${claimedBy}, but the token is ${subject}'s; who acts comes from the token`;
    // 400, as the identity issue asks: a field the caller may not set is refused, not trusted.
    throw new ApiError(400, 'validation_failed', message, [{ field: 'body.by', rule: 'principal', message }]);
  }
  return subject;
}
