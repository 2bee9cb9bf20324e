import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type CryptoKey } from 'jose';
import type { Role } from '../../domain/roles';

/** Issuer and audience of the product's own tokens (development and tests, when no `AUTH_ISSUER` is set). */
export const localIssuerName = 'urn:order-orchestration:local-issuer';
export const localAudience = 'order-orchestration';
const algorithm = 'ES256';

/**
 * The product's own token issuer for a laptop and the tests: one ES256 key pair kept in the data folder
 * (so tokens outlive a restart), its public half served as the JWKS. Never used when `AUTH_ISSUER` names
 * the operator's OpenID Connect provider.
 */
export class LocalIssuer {
  private constructor(
    private readonly privateKey: CryptoKey,
    readonly publicJwk: JWK,
  ) {}

  /** Loads the key from `<dataDir>/auth/signing-key.json`, making it on first use. */
  static async open(dataDir: string): Promise<LocalIssuer> {
    const file = path.join(dataDir, 'auth', 'signing-key.json');
    let jwk: JWK;
    try {
      jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const pair = await generateKeyPair(algorithm, { extractable: true });
      jwk = { ...(await exportJWK(pair.privateKey)), alg: algorithm, use: 'sig' };
      jwk.kid = `local-${Date.now().toString(36)}`;
      await mkdir(path.dirname(file), { recursive: true });
      // `wx`: two processes starting at once keep the first key; the loser reads it back.
      await writeFile(file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' }).catch(async (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        jwk = JSON.parse(await readFile(file, 'utf8')) as JWK;
      });
    }
    const { d: _private, ...publicJwk } = jwk;
    return new LocalIssuer((await importJWK(jwk, algorithm)) as CryptoKey, publicJwk);
  }

  /** The JSON Web Key Set served at `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.publicJwk] };
  }

  /** A signed access token for `subject` with `roles`, valid for `ttlSeconds` (default 12 hours). */
  async sign(claims: {
    subject: string;
    roles: Role[];
    name?: string;
    ttlSeconds?: number;
  }): Promise<string> {
    return new SignJWT({ roles: claims.roles, ...(claims.name ? { name: claims.name } : {}) })
      .setProtectedHeader({ alg: algorithm, kid: this.publicJwk.kid, typ: 'JWT' })
      .setSubject(claims.subject)
      .setIssuer(localIssuerName)
      .setAudience(localAudience)
      .setIssuedAt()
      .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
      .sign(this.privateKey);
  }
}
