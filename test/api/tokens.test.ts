/**
 * Which tokens open the API: the product's own issuer and an operator's OpenID Connect provider, served
 * here by a stub on loopback (discovery document and JWKS, with a key rotation).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { CatalogStore } from '../../catalog/store';
import { DownstreamSimulator } from '../../downstream/simulator';
import { buildApp } from '../../api/app';
import { LocalIssuer } from '../../api/auth/local-issuer';
import type { AuthSettings } from '../../api/auth/verifier';
import { readCatalog } from '../../catalog/load';
import { openDatabase, type Database } from '../../db/client';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}
async function newKey(kid: string, alg = 'RS256'): Promise<Key> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg } };
}

/** A stub OpenID Connect provider: discovery and a JWKS whose keys the test rotates. */
async function stubIssuer() {
  const served: { keys: JWK[] } = { keys: [] };
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      return res.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/keys` }));
    if (req.url === '/keys') {
      fetches++;
      return res.end(JSON.stringify(served));
    }
    res.statusCode = 404;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, served, server, fetches: () => fetches };
}

const audience = 'orders-api';
let database: Database;
const apps: FastifyInstance[] = [];

async function appWith(auth: AuthSettings, rateLimit?: { max: number }) {
  const catalogs = new CatalogStore(database.db, readCatalog());
  const app = await buildApp({
    auth,
    rateLimit,
    database,
    temporal: {} as Client,
    taskQueue: 'unused',
    catalogs,
    simulator: new DownstreamSimulator(database.db, 0),
    devMode: false,
  });
  apps.push(app);
  return app;
}

const get = (app: FastifyInstance, url: string, token?: string) =>
  app.inject({
    method: 'GET',
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });

beforeAll(async () => {
  database = await openDatabase(inject('databaseUrl'));
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await database.close();
});

describe("an operator's OpenID Connect provider", () => {
  let issuer: Awaited<ReturnType<typeof stubIssuer>>;
  let app: FastifyInstance;
  let key: Key;
  const sign = (claims: Record<string, unknown>, k: Key = key, iss?: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: k.kid })
      .setIssuer(iss ?? issuer.url)
      .setAudience(audience)
      .setSubject('alice')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(k.privateKey);

  beforeAll(async () => {
    issuer = await stubIssuer();
    key = await newKey('k1');
    issuer.served.keys = [key.publicJwk];
    app = await appWith({
      kind: 'oidc',
      issuer: issuer.url,
      audience,
      rolesClaim: 'realm_access.roles',
      jwksCooldownMs: 0,
    });
  });
  afterAll(() => issuer.server.close());

  it('admits a token found through discovery, with Keycloak roles in realm_access.roles', async () => {
    const token = await sign({ realm_access: { roles: ['viewer', 'offline_access'] } });
    const res = await get(app, '/orders/ORD-NONE', token);
    expect(res.statusCode).toBe(404); // past authentication and the role check, to the lookup
  });

  it('refuses a token without a role the route admits with 403, naming the roles', async () => {
    const token = await sign({ realm_access: { roles: ['offline_access'] } });
    const res = await get(app, '/orders/ORD-NONE', token);
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({ code: 'forbidden' });
    expect(res.json().error.message).toMatch(/viewer/);
  });

  it.each([
    ['no token', async () => undefined, /needs a bearer token/],
    ['a malformed token', async () => 'not.a.jwt', /malformed/],
    [
      'an expired token',
      async () =>
        new SignJWT({ realm_access: { roles: ['viewer'] } })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid })
          .setIssuer(issuer.url)
          .setAudience(audience)
          .setSubject('alice')
          .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
          .setExpirationTime(Math.floor(Date.now() / 1000) - 600)
          .sign(key.privateKey),
      /expired/,
    ],
    [
      'a token not yet valid',
      async () =>
        new SignJWT({ realm_access: { roles: ['viewer'] } })
          .setProtectedHeader({ alg: 'RS256', kid: key.kid })
          .setIssuer(issuer.url)
          .setAudience(audience)
          .setSubject('alice')
          .setNotBefore('10m')
          .setExpirationTime('20m')
          .sign(key.privateKey),
      /not yet valid/,
    ],
    ['a token of another issuer', async () => sign({}, key, 'https://evil.example'), /another issuer/],
    [
      'a token for another audience',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'RS256', kid: key.kid })
          .setIssuer(issuer.url)
          .setAudience('someone-else')
          .setSubject('alice')
          .setExpirationTime('5m')
          .sign(key.privateKey),
      /another audience/,
    ],
    [
      'a token signed by a key the issuer does not hold',
      async () => sign({}, await newKey('k1')),
      /signature does not verify/,
    ],
    [
      'a token with alg none',
      async () => {
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'alice', iss: issuer.url, aud: audience, exp: now + 300, realm_access: { roles: ['viewer'] } })}.`;
      },
      /algorithm is not accepted|malformed/,
    ],
    [
      'an HMAC token (a key-confusion attempt)',
      async () =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .setIssuer(issuer.url)
          .setAudience(audience)
          .setSubject('alice')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode('a-shared-secret-anyone-could-guess')),
      /algorithm is not accepted/,
    ],
  ])('refuses %s with 401, the reason and WWW-Authenticate', async (_what, make, reason) => {
    const res = await get(app, '/orders/ORD-NONE', await make());
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
    expect(res.json().error.message).toMatch(reason);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="order-orchestration"/);
  });

  it('follows a key rotation at the issuer: the new key works, the retired one stops', async () => {
    const old = key;
    const rotated = await newKey('k2');
    issuer.served.keys = [rotated.publicJwk];
    const before = issuer.fetches();
    const res = await get(
      app,
      '/orders/ORD-NONE',
      await sign({ realm_access: { roles: ['viewer'] } }, rotated),
    );
    expect(res.statusCode).toBe(404);
    expect(issuer.fetches()).toBeGreaterThan(before); // the unknown kid made it fetch the set again
    const stale = await get(
      app,
      '/orders/ORD-NONE',
      await sign({ realm_access: { roles: ['viewer'] } }, old),
    );
    expect(stale.statusCode).toBe(401);
  });
});

describe("the product's own issuer", () => {
  let app: FastifyInstance;
  let issuer: LocalIssuer;
  beforeAll(async () => {
    issuer = await LocalIssuer.open(inject('authDataDir'));
    app = await appWith({ kind: 'local', issuer }, { max: 3 });
  });

  it('serves its JWKS without a token, and its tokens open the API', async () => {
    const jwks = await get(app, '/.well-known/jwks.json');
    expect(jwks.statusCode).toBe(200);
    expect(jwks.json().keys[0]).toMatchObject({ kid: issuer.publicJwk.kid, kty: 'EC' });
    expect(jwks.json().keys[0].d).toBeUndefined();
    const token = await issuer.sign({ subject: 'bob', roles: ['viewer'] });
    expect((await get(app, '/orders/ORD-NONE', token)).statusCode).toBe(404);
  });

  it("leaves /health and the OpenAPI page open, and shows the bearer scheme with each operation's roles", async () => {
    expect((await get(app, '/health')).statusCode).not.toBe(401);
    const doc = (await get(app, '/docs/json')).json();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const createQuote = doc.paths['/quotes'].post;
    expect(createQuote.security).toEqual([{ bearerAuth: [] }]);
    expect(createQuote.description).toMatch(/Roles: .*`sales`/);
    const page = await get(app, '/docs');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/html/);
    // The page carries Swagger UI's own CSP (scripts and styles it needs), not helmet's API default.
    expect(String(page.headers['content-security-policy'])).toMatch(/script-src 'self'/);
  });

  it('sets security headers', async () => {
    const res = await get(app, '/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  it('limits each principal, with 429 in the error model, not its neighbours', async () => {
    const busy = await issuer.sign({ subject: 'busy', roles: ['viewer'] });
    const calm = await issuer.sign({ subject: 'calm', roles: ['viewer'] });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(app, '/orders/ORD-NONE', busy)).statusCode);
    expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
    const limited = await get(app, '/orders/ORD-NONE', busy);
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await get(app, '/orders/ORD-NONE', calm)).statusCode).toBe(404);
  });
});
