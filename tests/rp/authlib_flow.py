#!/usr/bin/env python3
"""An independent relying party: the OIDC authorization code flow with PKCE
against a freshly started sigil, driven by authlib and requests.

Usage: authlib_flow.py [PATH_TO_SIGIL]   (default: target/debug/sigil)

Starts `sigil serve` on a free loopback port with a database in a temporary
directory, creates a user and a confidential client through the CLI, signs in
through the login and consent pages as a browser would, exchanges the code,
validates the ID token against the JWKS, calls userinfo and checks that a
reused code is refused. Prints `authlib: 1 passed, 0 failed` on success and
exits 0; otherwise prints why, `authlib: 0 passed, 1 failed`, and exits 1.
"""

import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

HTTP_TIMEOUT = 10
CLI_TIMEOUT = 60
STARTUP_TIMEOUT = 60
STOP_TIMEOUT = 15
OVERALL_TIMEOUT = 240
MAX_REDIRECTS = 10

USERNAME = "ada"
EMAIL = "ada@example.com"
SCOPE = "openid profile email"


class Failure(Exception):
    """A check that did not hold; the message says which and why."""


def step(message):
    print(f"authlib: {message}", flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def expect(condition, message):
    if not condition:
        raise Failure(message)


def json_body(resp, what):
    try:
        return resp.json()
    except ValueError:
        raise Failure(
            f"{what}: expected JSON, got {resp.status_code} "
            f"{resp.headers.get('content-type')!r}: {resp.text[:200]!r}"
        ) from None


class FormParser(HTMLParser):
    """Collects every <form> with its inputs and submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: (value if value is not None else "") for name, value in attrs}
        if tag == "form":
            self._form = {
                "action": attrs.get("action", ""),
                "method": attrs.get("method", "get").lower(),
                "inputs": {},
                "buttons": [],
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and "name" in attrs:
            kind = attrs.get("type", "text").lower()
            if kind == "submit":
                self._form["buttons"].append((attrs["name"], attrs.get("value", "")))
            elif kind not in ("checkbox", "radio") or "checked" in attrs:
                self._form["inputs"][attrs["name"]] = attrs.get("value", "")
        elif tag == "button" and "name" in attrs:
            if attrs.get("type", "submit").lower() == "submit":
                self._form["buttons"].append((attrs["name"], attrs.get("value", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def find_form(html, what, field):
    parser = FormParser()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        if field in form["inputs"]:
            return form
    raise Failure(f"{what}: no form with an input named {field!r} on the page")


class Browser:
    """A user agent that follows redirects one by one and stops at the client."""

    def __init__(self, issuer, redirect_uri):
        self.session = requests.Session()
        self.issuer = issuer
        self.redirect_uri = redirect_uri

    def _check_origin(self, url):
        own = urlsplit(self.issuer)
        there = urlsplit(url)
        expect(
            (there.scheme, there.netloc) == (own.scheme, own.netloc),
            f"redirected to {url!r}, which is neither the provider nor the client",
        )

    def request(self, method, url, **kwargs):
        """Sends a request and follows redirects within the provider.

        Returns ("callback", url) when the provider redirects to the client,
        or ("page", response) for the first response that is not a redirect.
        """
        for _ in range(MAX_REDIRECTS):
            self._check_origin(url)
            resp = self.session.request(
                method, url, allow_redirects=False, timeout=HTTP_TIMEOUT, **kwargs
            )
            if not resp.is_redirect:
                return "page", resp
            location = resp.headers.get("location")
            expect(location, f"{method} {url}: {resp.status_code} without a Location")
            url = urljoin(url, location)
            if url.startswith(self.redirect_uri):
                return "callback", url
            method, kwargs = "GET", {}
        raise Failure(f"more than {MAX_REDIRECTS} redirects")

    def page(self, method, url, what, **kwargs):
        kind, result = self.request(method, url, **kwargs)
        if kind == "callback":
            raise Failure(f"{what}: expected a page, was sent back to the client: {result}")
        expect(
            result.status_code == 200,
            f"{what}: HTTP {result.status_code}: {result.text[:300]!r}",
        )
        return result

    def submit(self, page, form, **fields):
        data = dict(form["inputs"])
        data.update(fields)
        expect(form["method"] == "post", f"form method is {form['method']!r}, not post")
        action = urljoin(page.url, form["action"] or page.url)
        return self.request("POST", action, data=data)


class Server:
    def __init__(self, binary, workdir, port):
        self.binary = binary
        self.workdir = workdir
        self.issuer = f"http://127.0.0.1:{port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SIGIL_")}
        self.env.update(
            SIGIL_BIND=f"127.0.0.1:{port}",
            SIGIL_ISSUER=self.issuer,
            SIGIL_DATABASE_URL=f"sqlite://{os.path.join(workdir, 'sigil.db')}",
        )
        self.log_path = os.path.join(workdir, "serve.log")
        self.proc = None

    def start(self):
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                [self.binary, "serve"],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Failure(f"sigil serve exited with {self.proc.returncode} at start-up")
            try:
                if requests.get(f"{self.issuer}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise Failure(f"sigil serve did not answer /healthz within {STARTUP_TIMEOUT}s")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            step(f"sigil serve still running {STOP_TIMEOUT}s after SIGTERM; killing it")
            self.proc.kill()
            self.proc.wait(timeout=STOP_TIMEOUT)

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def cli(self, *args, stdin=""):
        what = "sigil " + " ".join(args)
        try:
            done = subprocess.run(
                [self.binary, *args],
                cwd=self.workdir,
                env=self.env,
                input=stdin,
                capture_output=True,
                text=True,
                timeout=CLI_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            raise Failure(f"{what}: no answer within {CLI_TIMEOUT}s") from None
        expect(done.returncode == 0, f"{what}: exit {done.returncode}: {done.stderr.strip()}")
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise Failure(f"{what}: output is not JSON: {done.stdout[:200]!r}") from None


def hash_for_alg(alg):
    """The hash that OIDC Core §3.1.3.6 ties to the ID token's algorithm."""
    if alg == "EdDSA":
        return hashlib.sha512
    return {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}.get(
        alg[-3:]
    )


def validate_id_token(id_token, access_token, jwks, algorithms, issuer, client_id, nonce):
    try:
        keys = KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise Failure(f"JWKS does not import: {error!r}") from None
    try:
        token = jwt.decode(id_token, keys, algorithms=algorithms)
    except (JoseError, ValueError) as error:
        raise Failure(f"ID token signature does not verify against the JWKS: {error!r}") from None
    header, claims = token.header, token.claims
    expect(header.get("alg") in algorithms, f"ID token alg {header.get('alg')!r} not offered")
    expect(header.get("kid"), "ID token header has no kid")

    registry = jwt.JWTClaimsRegistry(
        leeway=60,
        iss={"essential": True, "value": issuer},
        sub={"essential": True},
        aud={"essential": True, "value": client_id},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
        at_hash={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise Failure(f"ID token claims: {error!r}; claims: {claims}") from None

    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 or "azp" in claims:
        expect(claims.get("azp") == client_id, f"ID token azp {claims.get('azp')!r} is not the client")
    expect(claims["iat"] <= time.time() + 60, f"ID token iat {claims['iat']} is in the future")

    digest = hash_for_alg(header["alg"])
    expect(digest is not None, f"no at_hash hash known for alg {header['alg']!r}")
    full = digest(access_token.encode("ascii")).digest()
    at_hash = b64url(full[: len(full) // 2])
    expect(
        claims["at_hash"] == at_hash,
        f"ID token at_hash {claims['at_hash']!r} != {at_hash!r} computed from the access token",
    )
    return header, claims


def with_server(name, binary, flow_of):
    """Runs `flow_of(server)` against a fresh `sigil serve` in a temporary directory; on a
    failure prints the server log's last lines, and always stops the server."""
    workdir = tempfile.mkdtemp(prefix=f"sigil-{name}-")
    server = Server(binary, workdir, free_port())
    try:
        flow_of(server)
    except Failure:
        tail = server.log_tail()
        if tail:
            print(f"{name}: last lines of the server log:", file=sys.stderr)
            print(tail, file=sys.stderr, end="")
        raise
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def run(binary):
    with_server("authlib", binary, flow)


def flow(server):
    issuer = server.issuer
    redirect_uri = f"http://127.0.0.1:{free_port()}/cb"

    step(f"starting sigil serve at {issuer}")
    server.start()

    password = secrets.token_urlsafe(18)
    user = server.cli(
        "user", "create", "--username", USERNAME, "--email", EMAIL, "--password-stdin",
        stdin=password + "\n",
    )
    expect(user.get("username") == USERNAME, f"user create printed {user}")
    expect(password not in json.dumps(user), "user create printed the password")
    step(f"created user {USERNAME}")

    metadata = {"client_name": "authlib relying party", "redirect_uris": [redirect_uri], "scope": SCOPE}
    client = server.cli("client", "create", "--metadata-file", "-", stdin=json.dumps(metadata))
    client_id, client_secret = client.get("client_id"), client.get("client_secret")
    expect(client_id and client_secret, f"client create gave no client_id/client_secret: {list(client)}")
    step(f"registered confidential client {client_id}")

    resp = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT)
    expect(resp.status_code == 200, f"discovery: HTTP {resp.status_code}")
    discovery = json_body(resp, "discovery")
    try:
        OpenIDProviderMetadata(discovery).validate()
    except (ValueError, AuthlibBaseError) as error:
        raise Failure(f"discovery document is not valid OpenID Provider Metadata: {error}") from None
    expect(discovery["issuer"] == issuer, f"discovery issuer {discovery['issuer']!r} != {issuer!r}")
    expect("S256" in discovery.get("code_challenge_methods_supported", []), "S256 not offered")
    expect(
        discovery.get("authorization_response_iss_parameter_supported") is True,
        "authorization_response_iss_parameter_supported is not true",
    )
    algorithms = [a for a in discovery["id_token_signing_alg_values_supported"] if a != "none"]
    step("discovery document valid")

    oauth = OAuth2Session(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method="client_secret_basic",
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        default_timeout=HTTP_TIMEOUT,
    )
    code_verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    state = secrets.token_urlsafe(16)
    auth_url, _ = oauth.create_authorization_url(
        discovery["authorization_endpoint"], state=state, code_verifier=code_verifier, nonce=nonce
    )

    browser = Browser(issuer, redirect_uri)
    login = browser.page("GET", auth_url, "authorization request")
    form = find_form(login.text, "login page", "csrf_token")
    for field in ("request", "username", "password"):
        expect(field in form["inputs"], f"login form has no input named {field!r}")
    step("login page shown")

    kind, result = browser.submit(login, form, username=USERNAME, password=password)
    expect(kind == "page", f"after login: sent to the client without consent: {result}")
    expect(result.status_code == 200, f"after login: HTTP {result.status_code}: {result.text[:300]!r}")
    consent = result
    form = find_form(consent.text, "consent page", "csrf_token")
    expect("request" in form["inputs"], "consent form has no input named 'request'")
    expect(("decision", "allow") in form["buttons"], "consent form has no decision=allow button")
    expect(("decision", "deny") in form["buttons"], "consent form has no decision=deny button")
    step("signed in; consent page shown")

    kind, callback = browser.submit(consent, form, decision="allow")
    expect(kind == "callback", f"after consent: HTTP {getattr(callback, 'status_code', '?')}, not sent to the client")
    params = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    expect("error" not in params, f"authorization error: {params}")
    expect(params.get("code"), f"no code in the redirect: {sorted(params)}")
    expect(params.get("state") == state, f"state {params.get('state')!r} != {state!r}")
    expect(params.get("iss") == issuer, f"iss {params.get('iss')!r} != {issuer!r} (RFC 9207)")
    step("consented; redirected back with code, state and iss")

    try:
        token = oauth.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, code_verifier=code_verifier
        )
    except (AuthlibBaseError, requests.RequestException) as error:
        raise Failure(f"token request failed: {error}") from None
    for name in ("access_token", "id_token", "token_type", "expires_in"):
        expect(name in token, f"token response has no {name!r}: {sorted(token)}")
    expect(token["token_type"].lower() == "bearer", f"token_type {token['token_type']!r}")
    step("code exchanged for tokens")

    resp = requests.get(discovery["jwks_uri"], timeout=HTTP_TIMEOUT)
    expect(resp.status_code == 200, f"jwks: HTTP {resp.status_code}")
    header, claims = validate_id_token(
        token["id_token"], token["access_token"], json_body(resp, "jwks"),
        algorithms, issuer, client_id, nonce,
    )
    step(f"ID token valid ({header['alg']}, kid {header['kid']}): signature, iss, aud, exp, nonce, at_hash")

    resp = oauth.get(discovery["userinfo_endpoint"])
    expect(resp.status_code == 200, f"userinfo: HTTP {resp.status_code}: {resp.text[:300]!r}")
    userinfo = json_body(resp, "userinfo")
    expect(userinfo.get("sub") == claims["sub"], f"userinfo sub {userinfo.get('sub')!r} != ID token sub {claims['sub']!r}")
    expect(userinfo.get("email") == EMAIL, f"userinfo email {userinfo.get('email')!r} != {EMAIL!r}")
    step("userinfo agrees with the ID token")

    resp = oauth.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        },
        auth=oauth.client_auth("client_secret_basic"),
        withhold_token=True,
    )
    expect(resp.status_code == 400, f"reused code: HTTP {resp.status_code}, expected 400")
    error = json_body(resp, "reused code").get("error")
    expect(error == "invalid_grant", f"reused code: error {error!r}, expected 'invalid_grant'")
    step("reused code refused with 400 invalid_grant")


def check(name, argv, run_check, timeout):
    """Runs `run_check(binary)` within `timeout` seconds and prints the closing line
    `NAME: 1 passed, 0 failed` (or why it failed). Returns the exit code."""
    binary = os.path.abspath(argv[1] if len(argv) > 1 else "target/debug/sigil")
    started = time.monotonic()

    def on_alarm(signum, frame):
        raise Failure(f"the whole check took longer than {timeout}s")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(timeout)
    try:
        if not os.access(binary, os.X_OK):
            raise Failure(f"{binary} is not an executable")
        run_check(binary)
    except Failure as failure:
        signal.alarm(0)
        print(f"{name}: FAILED: {failure}", flush=True)
        print(f"{name}: 0 passed, 1 failed", flush=True)
        return 1
    except Exception as error:  # an unexpected error is a failed check too
        signal.alarm(0)
        print(f"{name}: FAILED: unexpected {type(error).__name__}: {error}", flush=True)
        print(f"{name}: 0 passed, 1 failed", flush=True)
        return 1
    signal.alarm(0)
    print(f"{name}: completed in {time.monotonic() - started:.1f}s", flush=True)
    print(f"{name}: 1 passed, 0 failed", flush=True)
    return 0


def main(argv):
    return check("authlib", argv, run, OVERALL_TIMEOUT)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
