#!/usr/bin/env python3
"""An independent relying party for token exchange (RFC 8693), validated with joserfc.

Usage: exchange_flow.py [PATH_TO_SIGIL]   (default: target/debug/sigil)

Starts `sigil serve`, registers a gateway and an orders resource, a web client and
the gateway's exchanging client through the CLI, and signs a user in through the
login and consent pages (code flow with PKCE) for a token addressed to the gateway.
The gateway then trades that token for a narrower one for the orders service, and
again with its own client_credentials token as actor (delegation); joserfc checks
both against the JWKS named in discovery, and /introspect must agree. A wider
scope and a garbage subject token must be refused. Prints
`exchange: 1 passed, 0 failed` on success.
"""

import hashlib
import json
import secrets
import sys
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from authlib_flow import (
    EMAIL,
    HTTP_TIMEOUT,
    USERNAME,
    Browser,
    Failure,
    b64url,
    check,
    expect,
    find_form,
    free_port,
    json_body,
    with_server,
)

OVERALL_TIMEOUT = 240
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS = "urn:ietf:params:oauth:token-type:access_token"
GATEWAY = "https://gateway.example/"
ORDERS = "https://orders.example/"
USER_SCOPE = "openid gateway orders:read orders:write"


def step(message):
    print(f"exchange: {message}", flush=True)


def sign_in(browser, discovery, web, password):
    """The code flow with PKCE for a token for GATEWAY; signs in and consents as asked."""
    verifier = secrets.token_urlsafe(48)
    query = {
        "client_id": web["client_id"], "response_type": "code",
        "redirect_uri": browser.redirect_uri, "scope": USER_SCOPE, "state": "st",
        "nonce": secrets.token_urlsafe(12), "resource": GATEWAY,
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    kind, result = browser.request("GET", f"{discovery['authorization_endpoint']}?{urlencode(query)}")
    expect(kind == "page", f"authorize: sent to the client before signing in: {result}")
    form = find_form(result.text, "login page", "csrf_token")
    kind, result = browser.submit(result, form, username=USERNAME, password=password)
    if kind == "page":
        form = find_form(result.text, "consent page", "csrf_token")
        kind, result = browser.submit(result, form, decision="allow")
    expect(kind == "callback", f"no redirect to the client: {getattr(result, 'text', result)[:300]!r}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(result).query).items()}
    expect("code" in params and params.get("state") == "st", f"authorization response: {params}")
    resp = requests.post(discovery["token_endpoint"], timeout=HTTP_TIMEOUT,
                         auth=(web["client_id"], web["client_secret"]),
                         data={"grant_type": "authorization_code", "code": params["code"],
                               "redirect_uri": browser.redirect_uri, "code_verifier": verifier})
    token = json_body(resp, "code exchange")
    expect(resp.status_code == 200, f"code exchange: HTTP {resp.status_code}: {token}")
    return token["access_token"]


def validate(token, keys, issuer, aud, what):
    """Verifies an access token with joserfc (RFC 9068); returns its header and claims."""
    try:
        decoded = jwt.decode(token, keys, algorithms=["RS256", "PS256", "ES256", "EdDSA"])
    except (JoseError, ValueError) as error:
        raise Failure(f"{what} does not verify against the JWKS: {error!r}") from None
    header, claims = decoded.header, decoded.claims
    expect(header.get("typ") == "at+jwt", f"{what} typ {header.get('typ')!r}, not at+jwt")
    registry = jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": aud},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise Failure(f"{what} claims: {error!r}; claims: {claims}") from None
    expect(claims["aud"] == aud, f"{what} aud {claims['aud']!r} is not exactly {aud!r}")
    return header, claims


def exchange(discovery, gateway, form):
    """POSTs a token-exchange request as the gateway (client_secret_basic)."""
    return requests.post(discovery["token_endpoint"], timeout=HTTP_TIMEOUT,
                         auth=(gateway["client_id"], gateway["client_secret"]),
                         data={"grant_type": GRANT, **form})


def exchanged(discovery, gateway, form, what):
    """An exchange that must succeed as RFC 8693 §2.2 says; returns the response."""
    resp = exchange(discovery, gateway, form)
    body = json_body(resp, what)
    expect(resp.status_code == 200, f"{what}: HTTP {resp.status_code}: {body}")
    expect(body.get("issued_token_type") == ACCESS, f"{what}: issued_token_type {body.get('issued_token_type')!r}")
    expect(body.get("token_type") == "Bearer", f"{what}: token_type {body.get('token_type')!r}")
    expect(isinstance(body.get("expires_in"), int) and body["expires_in"] > 0,
           f"{what}: expires_in {body.get('expires_in')!r}")
    expect("refresh_token" not in body, f"{what}: a refresh token was issued")
    return body


def refused(discovery, gateway, form, error, what):
    resp = exchange(discovery, gateway, form)
    body = json_body(resp, what)
    expect(resp.status_code == 400 and body.get("error") == error,
           f"{what}: HTTP {resp.status_code} {body}, expected 400 {error}")


def flow(server):
    step(f"starting sigil serve at {server.issuer}")
    server.start()
    password = secrets.token_urlsafe(18)
    server.cli("user", "create", "--username", USERNAME, "--email", EMAIL, "--password-stdin",
               stdin=password + "\n")
    for metadata in (
        {"identifier": GATEWAY, "scope": "gateway orders:read orders:write"},
        {"identifier": ORDERS, "scope": "orders:read orders:write orders:admin",
         "access_token_signed_response_alg": "ES256"},
    ):
        server.cli("resource", "create", "--metadata-file", "-", stdin=json.dumps(metadata))
    redirect_uri = f"http://127.0.0.1:{free_port()}/cb"
    web = server.cli("client", "create", "--metadata-file", "-", stdin=json.dumps(
        {"client_name": "exchange web app", "redirect_uris": [redirect_uri], "scope": USER_SCOPE}))
    gateway = server.cli("client", "create", "--metadata-file", "-", stdin=json.dumps({
        "client_name": "exchange gateway", "redirect_uris": [], "response_types": [],
        "grant_types": [GRANT, "client_credentials"],
        "scope": "orders:read orders:write orders:admin",
        "sigil_token_exchange": {"subject_audiences": [GATEWAY], "delegation": True},
    }))
    gateway_id = gateway["client_id"]
    step(f"registered resources, web client {web['client_id']} and gateway {gateway_id}")

    discovery = json_body(requests.get(f"{server.issuer}/.well-known/openid-configuration",
                                       timeout=HTTP_TIMEOUT), "discovery")
    expect(GRANT in discovery.get("grant_types_supported", []), "discovery does not offer token exchange")
    keys = KeySet.import_key_set(json_body(requests.get(discovery["jwks_uri"], timeout=HTTP_TIMEOUT), "jwks"))

    subject = sign_in(Browser(server.issuer, redirect_uri), discovery, web, password)
    _, subject_claims = validate(subject, keys, server.issuer, GATEWAY, "the subject token")
    expect(set(subject_claims["scope"].split()) >= {"orders:read", "orders:write"},
           f"subject token scope {subject_claims['scope']!r}")
    step(f"signed in through the login form: a token for the gateway ({subject_claims['scope']})")

    narrowed = exchanged(discovery, gateway, {"subject_token": subject, "subject_token_type": ACCESS,
                                              "resource": ORDERS, "scope": "orders:read"}, "down-scoping")
    expect(narrowed.get("scope") == "orders:read", f"down-scoping: scope {narrowed.get('scope')!r}")
    header, claims = validate(narrowed["access_token"], keys, server.issuer, ORDERS, "the exchanged token")
    expect(header.get("alg") == "ES256", f"exchanged token alg {header.get('alg')!r}, not the resource's ES256")
    expect(claims["sub"] == subject_claims["sub"], f"exchanged sub {claims['sub']!r} != {subject_claims['sub']!r}")
    expect(claims.get("scope") == "orders:read", f"exchanged scope {claims.get('scope')!r}")
    expect(claims["exp"] <= subject_claims["exp"], f"exchanged exp {claims['exp']} outlives the subject's")
    expect(claims.get("client_id") == gateway_id, f"exchanged client_id {claims.get('client_id')!r}")
    expect("act" not in claims, f"a down-scoping token has act {claims.get('act')}")
    step(f"down-scoped to orders:read for the orders service: joserfc verifies ES256, at+jwt, "
         f"iss, aud, sub, scope, exp, client_id; expires_in {narrowed['expires_in']}, no refresh token")

    resp = requests.post(discovery["token_endpoint"], timeout=HTTP_TIMEOUT,
                         auth=(gateway_id, gateway["client_secret"]),
                         data={"grant_type": "client_credentials"})
    actor = json_body(resp, "client_credentials")
    expect(resp.status_code == 200, f"client_credentials: HTTP {resp.status_code}: {actor}")
    delegated = exchanged(discovery, gateway, {
        "subject_token": subject, "subject_token_type": ACCESS,
        "actor_token": actor["access_token"], "actor_token_type": ACCESS,
        "resource": ORDERS, "scope": "orders:read"}, "delegation")
    _, claims = validate(delegated["access_token"], keys, server.issuer, ORDERS, "the delegated token")
    act = {"sub": gateway_id, "client_id": gateway_id}
    expect(claims.get("act") == act, f"delegated act {claims.get('act')}, expected {act}")
    expect(claims["sub"] == subject_claims["sub"], f"delegated sub {claims['sub']!r} changed")
    resp = requests.post(discovery["introspection_endpoint"], timeout=HTTP_TIMEOUT,
                         auth=(gateway_id, gateway["client_secret"]),
                         data={"token": delegated["access_token"]})
    seen = json_body(resp, "introspect")
    expect(resp.status_code == 200 and seen.get("active") is True, f"introspect: {resp.status_code} {seen}")
    expect(seen.get("act") == act, f"introspected act {seen.get('act')}, expected {act}")
    expect(seen.get("sub") == subject_claims["sub"], f"introspected sub {seen.get('sub')!r}")
    step("delegated with the gateway's own client_credentials token: act names the gateway, "
         "sub unchanged, /introspect agrees")

    refused(discovery, gateway, {"subject_token": subject, "subject_token_type": ACCESS,
                                 "resource": ORDERS, "scope": "orders:read orders:admin"},
            "invalid_scope", "a wider scope")
    step("a scope wider than the subject token's refused with 400 invalid_scope")
    garbage = b64url(secrets.token_bytes(24)) + "." + b64url(b"{}") + "." + b64url(secrets.token_bytes(32))
    for token in ("not-a-token", garbage):
        refused(discovery, gateway, {"subject_token": token, "subject_token_type": ACCESS,
                                     "resource": ORDERS}, "invalid_grant", "a garbage subject token")
    step("a garbage subject token refused with 400 invalid_grant")


def run(binary):
    with_server("exchange", binary, flow)


def main(argv):
    return check("exchange", argv, run, OVERALL_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
