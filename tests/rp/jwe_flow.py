#!/usr/bin/env python3
"""An independent relying party for encryption: joserfc opens what sigil encrypts.

Usage: jwe_flow.py [PATH_TO_SIGIL]   (default: target/debug/sigil)

Starts `sigil serve`, signs a user in once, then for every key-management and
content-encryption pair sigil offers registers a client (its own RSA, EC or
X25519 key made by joserfc, or its client secret for A128KW, A256KW and dir),
runs the code flow, decrypts the ID token and the userinfo answer with joserfc
and validates the inner JWTs against the JWKS. Then it sends a request object
signed with joserfc and encrypted to sigil's published encryption key, and checks
that its parameters win. Prints `jwe: 1 passed, 0 failed` on success.
"""

import hashlib
import json
import secrets
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from joserfc import jwe, jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet, OctKey, OKPKey, RSAKey

from authlib_flow import (
    EMAIL,
    HTTP_TIMEOUT,
    USERNAME,
    Browser,
    Failure,
    Server,
    b64url,
    check,
    expect,
    find_form,
    free_port,
    json_body,
    validate_id_token,
    with_server,
)

OVERALL_TIMEOUT = 300
ALGS = ["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW",
        "A128KW", "A256KW", "dir"]
ENCS = ["A128CBC-HS256", "A256CBC-HS512", "A128GCM", "A256GCM"]
SYMMETRIC = {"A128KW", "A256KW", "dir"}


def step(message):
    print(f"jwe: {message}", flush=True)


def client_key(alg, curve="P-256"):
    """A private key of the client for `alg`, made by joserfc."""
    if alg.startswith("RSA"):
        key = RSAKey.generate_key(2048, parameters={"kid": "rp-enc", "use": "enc", "alg": alg})
    elif curve == "X25519":
        key = OKPKey.generate_key("X25519", parameters={"kid": "rp-enc", "use": "enc", "alg": alg})
    else:
        key = ECKey.generate_key(curve, parameters={"kid": "rp-enc", "use": "enc", "alg": alg})
    return key


def secret_key(alg, enc, secret):
    """The key OIDC Core §10.2 derives from the client secret, by hand."""
    length = {"A128KW": 16, "A256KW": 32}.get(alg) or {
        "A128CBC-HS256": 32, "A256CBC-HS512": 64, "A128GCM": 16, "A256GCM": 32}[enc]
    digest = hashlib.sha256 if length <= 32 else hashlib.sha512
    return OctKey.import_key(digest(secret.encode()).digest()[:length])


def open_jwe(value, key, alg, enc, what):
    try:
        opened = jwe.decrypt_compact(value, key, algorithms=[alg, enc])
    except (JoseError, ValueError) as error:
        raise Failure(f"{what} ({alg} {enc}) does not decrypt with joserfc: {error!r}") from None
    header = opened.protected
    expect(header.get("alg") == alg and header.get("enc") == enc, f"{what} header {header}")
    expect(header.get("cty") == "JWT", f"{what} cty {header.get('cty')!r}, not JWT")
    expect("zip" not in header, f"{what} is compressed")
    return opened.plaintext.decode("ascii")


def authorize(browser, server, client_id, redirect_uri, nonce, extra=None):
    """Runs the authorization request; signs in when asked. Returns the callback params."""
    verifier = secrets.token_urlsafe(48)
    challenge = b64url(hashlib.sha256(verifier.encode()).digest())
    query = {
        "client_id": client_id, "response_type": "code", "redirect_uri": redirect_uri,
        "scope": "openid email", "state": "st", "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }
    query.update(extra or {})
    browser.redirect_uri = redirect_uri
    kind, result = browser.request("GET", f"{server.issuer}/authorize?{urlencode(query)}")
    if kind == "page":
        form = find_form(result.text, "login page", "csrf_token")
        kind, result = browser.submit(result, form, username=USERNAME, password=server.password)
    expect(kind == "callback", f"no redirect to the client: {getattr(result, 'text', result)[:300]!r}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(result).query).items()}
    expect("code" in params, f"authorization error: {params}")
    return params, verifier


def pair(server, browser, discovery, jwks, alg, enc, curve="P-256"):
    redirect_uri = f"http://127.0.0.1:{free_port()}/cb"
    metadata = {
        "client_name": f"jwe {alg} {enc}", "redirect_uris": [redirect_uri],
        "scope": "openid email", "sigil_first_party": True,
        "id_token_encrypted_response_alg": alg, "id_token_encrypted_response_enc": enc,
        "userinfo_encrypted_response_alg": alg, "userinfo_encrypted_response_enc": enc,
    }
    key = None
    if alg not in SYMMETRIC:
        key = client_key(alg, curve)
        metadata["jwks"] = {"keys": [key.as_dict(private=False)]}
    client = server.cli("client", "create", "--metadata-file", "-", stdin=json.dumps(metadata))
    client_id, secret = client["client_id"], client["client_secret"]
    if key is None:
        key = secret_key(alg, enc, secret)
    nonce = secrets.token_urlsafe(12)
    params, verifier = authorize(browser, server, client_id, redirect_uri, nonce)
    resp = requests.post(discovery["token_endpoint"], auth=(client_id, secret), timeout=HTTP_TIMEOUT,
                         data={"grant_type": "authorization_code", "code": params["code"],
                               "redirect_uri": redirect_uri, "code_verifier": verifier})
    token = json_body(resp, "token")
    expect(resp.status_code == 200, f"token {alg} {enc}: {token}")
    expect(token["id_token"].count(".") == 4, f"{alg} {enc}: the ID token is not a JWE")
    inner = open_jwe(token["id_token"], key, alg, enc, "ID token")
    algorithms = discovery["id_token_signing_alg_values_supported"]
    _, claims = validate_id_token(inner, token["access_token"], jwks, algorithms,
                                  server.issuer, client_id, nonce)
    resp = requests.get(discovery["userinfo_endpoint"], timeout=HTTP_TIMEOUT,
                        headers={"authorization": f"Bearer {token['access_token']}"})
    expect(resp.status_code == 200, f"userinfo {alg} {enc}: HTTP {resp.status_code}")
    expect(resp.headers.get("content-type") == "application/jwt",
           f"userinfo content-type {resp.headers.get('content-type')!r}")
    inner = open_jwe(resp.text, key, alg, enc, "userinfo")
    try:
        info = jwt.decode(inner, KeySet.import_key_set(jwks), algorithms=algorithms).claims
    except (JoseError, ValueError) as error:
        raise Failure(f"userinfo JWT does not verify: {error!r}") from None
    expect(info.get("sub") == claims["sub"] and info.get("email") == EMAIL, f"userinfo {info}")
    expect(info.get("aud") == client_id and info.get("iss") == server.issuer, f"userinfo {info}")


def request_object(server, browser, discovery, jwks):
    redirect_one = f"http://127.0.0.1:{free_port()}/one"
    redirect_two = f"http://127.0.0.1:{free_port()}/two"
    signing = ECKey.generate_key("P-256", parameters={"kid": "rp-sig", "use": "sig", "alg": "ES256"})
    metadata = {"redirect_uris": [redirect_one, redirect_two], "scope": "openid email",
                "sigil_first_party": True, "jwks": {"keys": [signing.as_dict(private=False)]},
                "request_object_signing_alg": "ES256",
                "request_object_encryption_alg": "ECDH-ES+A256KW",
                "request_object_encryption_enc": "A256GCM"}
    client = server.cli("client", "create", "--metadata-file", "-", stdin=json.dumps(metadata))
    client_id = client["client_id"]
    enc_key = next(k for k in jwks["keys"] if k.get("use") == "enc" and k["alg"] == "ECDH-ES+A256KW")
    verifier = secrets.token_urlsafe(48)
    now = int(time.time())
    claims = {
        "iss": client_id, "aud": server.issuer, "exp": now + 300, "iat": now,
        "jti": secrets.token_urlsafe(12), "client_id": client_id, "response_type": "code",
        "redirect_uri": redirect_two, "scope": "openid email", "state": "from-object",
        "nonce": "n-object", "code_challenge_method": "S256",
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
    }
    signed = jwt.encode({"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": "rp-sig"}, claims, signing)
    sealed = jwe.encrypt_compact({"alg": "ECDH-ES+A256KW", "enc": "A256GCM", "cty": "JWT",
                                  "kid": enc_key["kid"]}, signed, ECKey.import_key(enc_key),
                                 algorithms=["ECDH-ES+A256KW", "A256GCM"])
    browser.redirect_uri = redirect_two
    query = {"client_id": client_id, "response_type": "code", "redirect_uri": redirect_one,
             "scope": "openid", "state": "from-query", "request": sealed}
    kind, result = browser.request("GET", f"{server.issuer}/authorize?{urlencode(query)}")
    expect(kind == "callback", f"request object: no redirect to the object's redirect_uri: {result}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(result).query).items()}
    expect(params.get("state") == "from-object" and "code" in params, f"request object: {params}")
    browser.redirect_uri = redirect_one
    kind, result = browser.request("GET", f"{server.issuer}/authorize?{urlencode(query)}")
    expect(kind == "callback", "a replayed request object was not sent back")
    params = {k: v[0] for k, v in parse_qs(urlsplit(result).query).items()}
    expect(params.get("error") == "invalid_request_object", f"replayed object: {params}")


def flow(server):
    step(f"starting sigil serve at {server.issuer}")
    server.start()
    server.password = secrets.token_urlsafe(18)
    server.cli("user", "create", "--username", USERNAME, "--email", EMAIL, "--password-stdin",
               stdin=server.password + "\n")
    discovery = json_body(requests.get(f"{server.issuer}/.well-known/openid-configuration",
                                       timeout=HTTP_TIMEOUT), "discovery")
    for what in ("id_token", "userinfo"):
        expect(discovery[f"{what}_encryption_alg_values_supported"] == ALGS, f"{what} algs offered")
        expect(discovery[f"{what}_encryption_enc_values_supported"] == ENCS, f"{what} encs offered")
    expect(discovery.get("request_parameter_supported") is True, "request objects not offered")
    jwks = json_body(requests.get(discovery["jwks_uri"], timeout=HTTP_TIMEOUT), "jwks")
    browser = Browser(server.issuer, "")
    count = 0
    for alg in ALGS:
        for enc in ENCS:
            pair(server, browser, discovery, jwks, alg, enc)
            count += 1
    step(f"{count} alg/enc pairs: ID token and userinfo decrypt with joserfc and verify")
    for curve in ("P-384", "P-521", "X25519"):
        pair(server, browser, discovery, jwks, "ECDH-ES+A256KW", "A256GCM", curve)
    step("ECDH-ES on P-384, P-521 and X25519 decrypts too")
    request_object(server, browser, discovery, jwks)
    step("a joserfc request object, signed and encrypted, is accepted once and its parameters win")


def run(binary):
    with_server("jwe", binary, flow)


def main(argv):
    return check("jwe", argv, run, OVERALL_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
