#!/usr/bin/env python3
"""Minimal Docker/OCI registry token server for the test registry (stdlib + openssl CLI).

  token-server.py --listen 127.0.0.1:5003 --key signer.key --chain signer.crt,ca.crt
                  --issuer ISSUER --service SERVICE --user testuser:testpass [--pidfile F]

GET /token?service=..&scope=repository:NAME:pull,push[&scope=..] with optional
Basic auth, or POST /token (OAuth2 password grant, form-encoded), answers
{"token", "access_token", "expires_in", "issued_at"}. The token is an RS256 JWT
signed by piping to `openssl dgst -sha256 -sign KEY`; its "x5c" header carries
the signing certificate chain, which the registry checks against its
rootcertbundle.

Policy: a known user gets every action it asks for (repository and registry
scopes); an anonymous client gets "pull" on repositories under "public/" and an
empty access list otherwise (so the registry answers 401); wrong credentials
get 401 from the token server itself.
"""

import base64
import binascii
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TTL = 300


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def pem_to_der_list(paths):
    certs = []
    for path in paths:
        text = open(path).read()
        for block in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S):
            certs.append(base64.b64encode(base64.b64decode("".join(block.split()))).decode())
    return certs


class Config:
    key = None
    x5c = []
    issuer = ""
    service = ""
    users = {}


def sign(payload_claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": Config.x5c}
    signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                     b64url(json.dumps(payload_claims, separators=(",", ":")).encode()))
    proc = subprocess.run(["openssl", "dgst", "-sha256", "-sign", Config.key],
                          input=signing_input.encode(), capture_output=True, check=True)
    return signing_input + "." + b64url(proc.stdout)


def parse_scope(scope):
    """'repository:a/b:pull,push' -> ('repository', 'a/b', ['pull', 'push'])."""
    kind, _, rest = scope.partition(":")
    name, _, actions = rest.rpartition(":")
    return kind, name, [a for a in actions.split(",") if a]


def grant(user, scopes):
    access = []
    for scope in scopes:
        kind, name, actions = parse_scope(scope)
        if not kind or not name:
            continue
        if user is None:
            if kind == "repository" and name.startswith("public/"):
                actions = [a for a in actions if a == "pull"]
            else:
                actions = []
        if actions:
            access.append({"type": kind, "name": name, "actions": actions})
    return access


def issue(user, scopes, service):
    now = int(time.time())
    claims = {
        "iss": Config.issuer, "sub": user or "", "aud": service or Config.service,
        "exp": now + TTL, "nbf": now - 30, "iat": now,
        "jti": binascii.hexlify(os.urandom(16)).decode(),
        "access": grant(user, scopes),
    }
    token = sign(claims)
    return {"token": token, "access_token": token, "expires_in": TTL,
            "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def deny(self):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": "invalid username/password"}]},
                   [("WWW-Authenticate", 'Basic realm="berth-test-token"')])

    def check(self, username, password):
        return Config.users.get(username) == password

    def basic_user(self):
        """None: anonymous; False: bad credentials; str: user name."""
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            username, _, password = base64.b64decode(header[6:].strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return username if self.check(username, password) else False

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
        query = urllib.parse.parse_qs(url.query)
        user = self.basic_user()
        if user is False:
            return self.deny()
        self.reply(200, issue(user, query.get("scope", []), (query.get("service") or [""])[0]))

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
        grant_type = (form.get("grant_type") or [""])[0]
        if grant_type != "password":
            return self.reply(400, {"error": "unsupported_grant_type"})
        username = (form.get("username") or [""])[0]
        if not self.check(username, (form.get("password") or [""])[0]):
            return self.deny()
        scopes = [s for v in form.get("scope", []) for s in v.split(" ") if s]
        self.reply(200, issue(username, scopes, (form.get("service") or [""])[0]))

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), fmt % args))
        sys.stderr.flush()


def main(argv):
    opts = {"--listen": "127.0.0.1:5003", "--user": []}
    it = iter(argv)
    for arg in it:
        if arg == "--user":
            opts["--user"].append(next(it))
        elif arg.startswith("--"):
            opts[arg] = next(it)
        else:
            raise SystemExit(__doc__)
    Config.key = opts["--key"]
    Config.x5c = pem_to_der_list(opts["--chain"].split(","))
    Config.issuer = opts["--issuer"]
    Config.service = opts["--service"]
    Config.users = dict(u.split(":", 1) for u in opts["--user"])
    host, _, port = opts["--listen"].rpartition(":")
    server = ThreadingHTTPServer((host, int(port)), Handler)
    if "--pidfile" in opts:
        with open(opts["--pidfile"], "w") as f:
            f.write("%d\n" % os.getpid())
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
