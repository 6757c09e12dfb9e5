// A small relying party for the browser tests: a node http server doing the authorization
// code flow with PKCE (S256), state and nonce against sigil, found through discovery, as a
// confidential client (client_secret_basic). The ID token is verified with jose against
// sigil's JWKS — an implementation independent of sigil's own.

import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';

import { freePort } from './sigil.js';

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The relying party: `/start` sends the browser to sigil, `/cb` finishes the sign-in. */
export class RelyingParty {
  constructor({ discovery, port }) {
    this.discovery = discovery;
    this.origin = `http://127.0.0.1:${port}`;
    this.redirectUri = `${this.origin}/cb`;
    this.port = port;
    this.jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    this.pending = new Map();
    this.client = null;
    this.scope = 'openid';
    /** The last completed sign-in: { claims, tokens }. */
    this.last = null;
    /** Errors met while answering the browser, for the test to report. */
    this.errors = [];
  }

  /** Starts a relying party for sigil (discovery read from `sigil`) on a free port. */
  static async start(sigil) {
    const rp = new RelyingParty({ discovery: await sigil.discovery(), port: await freePort() });
    rp.server = createServer((req, res) => {
      rp.handle(req, res).catch((e) => {
        rp.errors.push(e);
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`relying party: ${e.message}`);
      });
    });
    await new Promise((done) => rp.server.listen(rp.port, '127.0.0.1', done));
    return rp;
  }

  /** The metadata to register this relying party with, merged with `extra`. */
  metadata(extra = {}) {
    return {
      client_name: 'Browser Test App',
      redirect_uris: [this.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      scope: 'openid profile email offline_access',
      ...extra,
    };
  }

  /** Uses the registered `client` (what `client create` printed), asking for `scope`. */
  use(client, scope) {
    this.client = client;
    this.scope = scope;
  }

  async handle(req, res) {
    const url = new URL(req.url, this.origin);
    if (url.pathname === '/start') return this.startFlow(res, url.searchParams);
    if (url.pathname === '/cb') return this.callback(url, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  /** Sends the browser to sigil's authorization endpoint; `extra` (the query of `/start`,
   *  such as `prompt=login`) is added to the request. */
  startFlow(res, extra = new URLSearchParams()) {
    const state = b64url(randomBytes(16));
    const nonce = b64url(randomBytes(16));
    const verifier = b64url(randomBytes(32));
    const challenge = b64url(createHash('sha256').update(verifier).digest());
    this.pending.set(state, { nonce, verifier });
    const target = new URL(this.discovery.authorization_endpoint);
    target.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.client.client_id,
      redirect_uri: this.redirectUri,
      scope: this.scope,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...Object.fromEntries(extra),
    }).toString();
    res.writeHead(302, { location: target.toString() }).end();
  }

  async callback(url, res) {
    const params = url.searchParams;
    const pending = this.pending.get(params.get('state'));
    if (!pending) throw new Error(`unknown state in ${url.search}`);
    this.pending.delete(params.get('state'));
    if (params.get('iss') !== this.discovery.issuer) {
      throw new Error(`iss ${params.get('iss')} is not ${this.discovery.issuer} (RFC 9207)`);
    }
    if (params.get('error')) throw new Error(`authorization error ${params.get('error')}`);
    const tokens = await this.tokenRequest({
      grant_type: 'authorization_code',
      code: params.get('code'),
      redirect_uri: this.redirectUri,
      code_verifier: pending.verifier,
    });
    if (tokens.status !== 200) throw new Error(`token: ${tokens.status} ${JSON.stringify(tokens.body)}`);
    const claims = await this.verifyIdToken(tokens.body.id_token, pending.nonce);
    this.last = { claims, tokens: tokens.body };
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      '<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1">' +
        '<style>pre { white-space: pre-wrap; overflow-wrap: anywhere; }</style>' +
        `<title>Signed in</title><h1>Signed in as ${escapeHtml(claims.sub)}</h1>` +
        `<pre id="claims">${escapeHtml(JSON.stringify(claims, null, 2))}</pre>`,
    );
  }

  /** Verifies `idToken` against sigil's JWKS: signature, iss, aud, exp, and `nonce`. */
  async verifyIdToken(idToken, nonce) {
    const { payload, protectedHeader } = await jwtVerify(idToken, this.jwks, {
      issuer: this.discovery.issuer,
      audience: this.client.client_id,
      algorithms: this.discovery.id_token_signing_alg_values_supported,
    });
    if (nonce !== undefined && payload.nonce !== nonce) {
      throw new Error(`nonce ${payload.nonce} is not the one sent`);
    }
    if (!protectedHeader.kid) throw new Error('ID token without kid');
    return payload;
  }

  /** Verifies a JWT access token (RFC 9068) against sigil's JWKS and issuer; returns its
   *  claims. */
  async verifyAccessToken(accessToken) {
    const { payload } = await jwtVerify(accessToken, this.jwks, {
      issuer: this.discovery.issuer,
      typ: 'at+jwt',
      algorithms: this.discovery.id_token_signing_alg_values_supported,
    });
    return payload;
  }

  /** POSTs `form` to the token endpoint with client_secret_basic; returns { status, body }. */
  async tokenRequest(form) {
    return tokenRequest(this.discovery.token_endpoint, this.client, form);
  }

  /** Refreshes the last sign-in's tokens; on success keeps the new ones. Returns { status, body }. */
  async refresh() {
    const answer = await this.tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: this.last.tokens.refresh_token,
    });
    if (answer.status === 200) {
      if (answer.body.id_token) await this.verifyIdToken(answer.body.id_token);
      this.last.tokens = { ...this.last.tokens, ...answer.body };
    }
    return answer;
  }

  async stop() {
    if (this.server) await new Promise((done) => this.server.close(done));
  }
}

/** POSTs `form` to `endpoint` as `client` ({ client_id, client_secret }) with
 *  client_secret_basic; returns { status, body }. */
export async function tokenRequest(endpoint, client, form) {
  const basic = Buffer.from(
    `${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`,
  ).toString('base64');
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}
