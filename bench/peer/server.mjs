// node-oidc-provider set up for the same grants bench/run measures on sigil: authorization code
// with PKCE, refresh-token rotation, client credentials with RS256 and ES256 resource tokens,
// introspection, discovery and JWKS. Its store is node-oidc-provider's in-memory adapter; the one
// user's password is checked with argon2id (m=19456, t=2, p=1, npm `argon2`), like sigil's.
//
// Usage: node server.mjs PORT   (listens on 127.0.0.1:PORT, prints "ready" when it accepts)

import { generateKeyPairSync } from 'node:crypto';
import argon2 from 'argon2';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 9090);
const issuer = `http://127.0.0.1:${port}`;

const USERNAME = 'bench';
const PASSWORD = process.env.BENCH_PASSWORD ?? 'correct horse battery staple';
const passwordHash = await argon2.hash(PASSWORD, {
  type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1,
});

function jwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: alg.toLowerCase() };
}

const resources = {
  'https://rs256.bench.example/': 'RS256',
  'https://es256.bench.example/': 'ES256',
};

const configuration = {
  jwks: {
    keys: [
      jwk('rsa', { modulusLength: 2048 }, 'RS256'),
      jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
    ],
  },
  clients: [
    {
      client_id: 'bench-web',
      client_secret: 'bench-web-secret',
      redirect_uris: ['http://127.0.0.1:9/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      scope: 'openid email offline_access',
    },
    {
      client_id: 'bench-service',
      client_secret: 'bench-service-secret',
      redirect_uris: [],
      response_types: [],
      grant_types: ['client_credentials'],
      scope: 'api:read',
    },
  ],
  scopes: ['openid', 'email', 'offline_access', 'api:read'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  findAccount: (_ctx, sub) => ({
    accountId: sub,
    claims: () => ({ sub, email: 'bench@example.com', email_verified: true }),
  }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
    },
    resourceIndicators: {
      enabled: true,
      useGrantedResource: () => false,
      getResourceServerInfo: (_ctx, indicator) => {
        const alg = resources[indicator];
        if (!alg) throw new Provider.errors.InvalidTarget();
        return {
          scope: 'api:read',
          audience: indicator,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        };
      },
    },
  },
  rotateRefreshToken: true,
  pkce: { required: () => true },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, ClientCredentials: 600, RefreshToken: 86400 },
};

const provider = new Provider(issuer, configuration);

async function form(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

function page(title, fields) {
  return `<!doctype html><html><head><title>${title}</title></head><body>`
    + `<form method="post" action="${fields.action}">${fields.inputs}</form></body></html>`;
}

/** Grants every scope the request asked for (the bench clients are first-party, as on sigil). */
async function grantAll(details) {
  const { params, session } = details;
  const accountId = details.result?.login?.accountId ?? session?.accountId;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  return grant.save();
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)(\/login|\/confirm)?$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const [, uid, step] = match;
  if (ctx.method === 'GET' && !step) {
    ctx.type = 'html';
    ctx.body = details.prompt.name === 'login'
      ? page('Sign in', {
        action: `/interaction/${uid}/login`,
        inputs: '<input name="username"><input type="password" name="password">'
          + '<button type="submit">Sign in</button>',
      })
      : page('Consent', {
        action: `/interaction/${uid}/confirm`,
        inputs: '<button type="submit" name="decision" value="allow">Allow</button>'
          + '<button type="submit" name="decision" value="deny">Deny</button>',
      });
    return undefined;
  }
  if (ctx.method !== 'POST') return next();
  const body = await form(ctx.req);
  let result;
  if (step === '/login') {
    const ok = body.get('username') === USERNAME
      && await argon2.verify(passwordHash, body.get('password') ?? '');
    if (!ok) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = 'Wrong username or password.';
      return undefined;
    }
    result = { login: { accountId: USERNAME } };
    details.result = result;
    result.consent = { grantId: await grantAll(details) };
  } else if (body.get('decision') === 'allow') {
    result = { consent: { grantId: await grantAll(details) } };
  } else {
    result = { error: 'access_denied' };
  }
  const location = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: false,
  });
  ctx.status = 303;
  ctx.redirect(location);
  return undefined;
});

provider.listen(port, '127.0.0.1', () => {
  console.log('ready');
});
