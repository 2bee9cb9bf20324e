import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { isRole, type Principal } from '../../domain/roles';
import { localAudience, localIssuerName, type LocalIssuer } from './local-issuer';

/** Where tokens come from: the product's own issuer, or the operator's OpenID Connect provider. */
export type AuthSettings =
  | { kind: 'local'; issuer: LocalIssuer; rolesClaim?: string }
  | {
      kind: 'oidc';
      /** `AUTH_ISSUER`: the `iss` every token must carry; its discovery document names the JWKS. */
      issuer: string;
      /** `AUTH_AUDIENCE`: the `aud` every token must carry. */
      audience: string;
      /** `AUTH_JWKS_URL`: skips discovery. */
      jwksUrl?: string;
      /** `AUTH_ROLES_CLAIM`: a dotted path, `roles` by default, `realm_access.roles` for Keycloak. */
      rolesClaim?: string;
      /** Least time between two fetches of the key set (jose's default 30 s guards against floods). */
      jwksCooldownMs?: number;
    };

/** A token that does not prove who the caller is: 401, with the reason in the message and the header. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** The identity provider cannot be reached to fetch its keys: 503, not the caller's fault. */
export class IdentityProviderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityProviderUnavailable';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Asymmetric algorithms only: `none` and shared-secret HMAC tokens are refused whatever their header says. */
const algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export function createTokenVerifier(settings: AuthSettings): TokenVerifier {
  const rolesClaim = settings.rolesClaim ?? 'roles';
  const expected =
    settings.kind === 'local'
      ? { issuer: localIssuerName, audience: localAudience }
      : { issuer: settings.issuer, audience: settings.audience };
  const keys: () => Promise<JWTVerifyGetKey> =
    settings.kind === 'local'
      ? (() => {
          const local = createLocalJWKSet(settings.issuer.jwks());
          return async () => local;
        })()
      : remoteKeys(settings.issuer, settings.jwksUrl, settings.jwksCooldownMs);

  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keys(), { ...expected, algorithms }));
      } catch (err) {
        throw explain(err, expected);
      }
      if (typeof payload.sub !== 'string' || payload.sub === '')
        throw new AuthenticationError('The token names no subject (claim sub)');
      const claimed = claimAt(payload, rolesClaim);
      const roles = Array.isArray(claimed) ? claimed.filter(isRole) : [];
      const name = typeof payload.name === 'string' ? payload.name : undefined;
      return { subject: payload.sub, roles: [...new Set(roles)], ...(name ? { name } : {}) };
    },
  };
}

/**
 * The operator's keys, from `AUTH_JWKS_URL` or the issuer's discovery document. jose caches them and
 * fetches the set again when a token names a key it does not hold, which is how a rotation arrives.
 */
function remoteKeys(
  issuer: string,
  jwksUrl?: string,
  cooldownDuration?: number,
): () => Promise<JWTVerifyGetKey> {
  let keys: JWTVerifyGetKey | undefined;
  return async () => {
    if (keys) return keys;
    let url = jwksUrl;
    if (!url) {
      const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const answer = await fetch(discovery, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => {
        throw new IdentityProviderUnavailable(
          `The identity provider's ${discovery} cannot be reached: ${err.message}`,
        );
      });
      if (!answer.ok)
        throw new IdentityProviderUnavailable(
          `The identity provider's ${discovery} answered ${answer.status}`,
        );
      const document = (await answer.json()) as { jwks_uri?: unknown };
      if (typeof document.jwks_uri !== 'string')
        throw new IdentityProviderUnavailable(`The identity provider's ${discovery} names no jwks_uri`);
      url = document.jwks_uri;
    }
    keys = createRemoteJWKSet(new URL(url), cooldownDuration === undefined ? {} : { cooldownDuration });
    return keys;
  };
}

function claimAt(payload: JWTPayload, dottedPath: string): unknown {
  let value: unknown = payload;
  for (const key of dottedPath.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** jose's refusal, as a sentence a caller can act on. */
function explain(err: unknown, expected: { issuer: string; audience: string }): Error {
  if (err instanceof IdentityProviderUnavailable) return err;
  if (err instanceof errors.JWTExpired) return new AuthenticationError('The token has expired (claim exp)');
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'nbf':
        return new AuthenticationError('The token is not yet valid (claim nbf)');
      case 'iat':
        return new AuthenticationError('The token was issued in the future (claim iat)');
      case 'iss':
        return new AuthenticationError(
          `The token is from another issuer (claim iss; expected ${expected.issuer})`,
        );
      case 'aud':
        return new AuthenticationError(
          `The token is for another audience (claim aud; expected ${expected.audience})`,
        );
      default:
        return new AuthenticationError(`The token's claim ${err.claim} is invalid: ${err.reason}`);
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return new AuthenticationError(
      `The token's signing algorithm is not accepted (${algorithms.join(', ')} only)`,
    );
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new AuthenticationError('The token signature does not verify against the issuer keys');
  if (err instanceof errors.JWKSNoMatchingKey)
    return new AuthenticationError("The token is signed with a key the issuer's key set does not hold");
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid)
    return new IdentityProviderUnavailable(
      `The identity provider's keys cannot be fetched: ${(err as Error).message}`,
    );
  if (err instanceof errors.JOSEError)
    return new AuthenticationError(`The token is malformed: ${err.message}`);
  // A network failure fetching the key set.
  if (err instanceof TypeError)
    return new IdentityProviderUnavailable(`The identity provider cannot be reached: ${err.message}`);
  return err instanceof Error ? err : new Error(String(err));
}
