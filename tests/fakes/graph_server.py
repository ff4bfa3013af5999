"""A local stand-in for Microsoft Entra ID and Microsoft Graph mail, for tests and benchmarks.

``FakeGraphServer`` is a threaded HTTPS server on 127.0.0.1 (msal accepts only https authorities,
so it serves TLS with a self-signed certificate made at start-up; ``ca_file`` trusts it). It
speaks the real protocols: the OIDC discovery document, the client-credentials token endpoint
(client secret or certificate assertion), ``POST /v1.0/users/{sender}/sendMail`` and
``POST /v1.0/$batch``, each checking the bearer token. It records every request and every
delivered message, and its answers can be scripted: ``script_batch`` for whole ``$batch`` calls,
``script_send`` for each sendMail operation (direct or inside a batch), ``script_token`` for the
token endpoint. A scripted 401 also revokes every issued token, as a real revocation would.

Typical use::

    with FakeGraphServer() as graph:
        transport = GraphTransport(**graph.transport_options(), sleep=sleeps.append)
        graph.script_send(Scripted(429, retry_after=1), 503)
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
import sys
import tempfile
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakes.certificates import write_server_certificate

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
BATCH_LIMIT = 20
Response = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Scripted:
    """A scripted answer: a status, an optional ``Retry-After`` and an optional Graph error code."""

    status: int
    retry_after: float | None = None
    code: str | None = None

    def headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        return {"Retry-After": f"{self.retry_after:g}"}

    def body(self) -> dict[str, Any] | None:
        if self.status < 400:
            return None
        code = self.code or {401: "InvalidAuthenticationToken", 429: "TooManyRequests"}.get(
            self.status, "ErrorScripted"
        )
        return {"error": {"code": code, "message": f"scripted {self.status}"}}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class DeliveredMessage:
    sender: str
    subject: str
    to: tuple[str, ...]
    html: str
    internet_message_id: str | None
    reply_to: tuple[str, ...]
    save_to_sent_items: bool
    raw: dict[str, Any] = field(repr=False)


def _json(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    data = b"" if body is None else json.dumps(body).encode()
    return status, {"Content-Type": "application/json", **(headers or {})}, data


def _graph_error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, fake: FakeGraphServer, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.context = context

    def get_request(self) -> tuple[Any, Any]:
        # Handshake lazily in the handler thread, so one slow client cannot stall accept().
        sock, address = self.socket.accept()
        # Headers and body go out as separate writes; without NODELAY each answer waits ~40 ms
        # for the client's delayed ACK, which would swamp any timing taken against the fake.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        wrapped = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return wrapped, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that distrusts the certificate or hangs up is not a bug in the fake.
        if isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
        try:
            status, headers, data = self.server.fake.handle(request)
        except Exception as exc:  # a bug in the fake must show up as a failure, not a hang
            self.server.fake.errors.append(exc)
            status, headers, data = _json(500, _graph_error("FakeBug", repr(exc)))
        self.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(data))}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class FakeGraphServer:
    """Fake Entra ID + Graph mail endpoints on one HTTPS port; see the module docstring."""

    def __init__(
        self,
        *,
        tenant_id: str = "fake-tenant",
        client_id: str = "fake-client-id",
        client_secret: str | None = "fake-client-secret",
        client_certificate_pem: str | None = None,
        sender: str = "send.tracker@example.org",
        token_lifetime: int = 3599,
    ) -> None:
        self.tenant_id = tenant_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.sender = sender
        self.token_lifetime = token_lifetime
        self._client_key: rsa.RSAPublicKey | None = None
        if client_certificate_pem:
            key = x509.load_pem_x509_certificate(client_certificate_pem.encode()).public_key()
            if not isinstance(key, rsa.RSAPublicKey):
                raise ValueError("the fake accepts RSA client certificates only, as Entra does")
            self._client_key = key
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._delivered: list[DeliveredMessage] = []
        self._tokens: set[str] = set()
        self._issued = 0
        self._batch_script: deque[Scripted] = deque()
        self._send_script: deque[Scripted] = deque()
        self._token_script: deque[Scripted] = deque()
        self._clients: list[Any] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="fake-graph-")
        # The server certificate is self-signed, so it is its own CA.
        self.ca_file = Path(self._tmp.name) / "server.pem"
        self.errors: list[BaseException] = []

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeGraphServer:
        cert_file, key_file = write_server_certificate(Path(self._tmp.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = _Server(self, context)
        # A short poll interval makes stop() quick; the default half second adds up in tests.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        for client in self._clients:
            client.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        self._tmp.cleanup()

    def __enter__(self) -> FakeGraphServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    @property
    def authority_host(self) -> str:
        return self.url

    @property
    def graph_base_url(self) -> str:
        return f"{self.url}/v1.0"

    @property
    def token_url(self) -> str:
        return f"{self.url}/{self.tenant_id}/oauth2/v2.0/token"

    # --- clients that trust the fake --------------------------------------------------------

    def httpx_client(self) -> httpx.Client:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        # trust_env off: proxy settings must not catch requests to 127.0.0.1.
        client = httpx.Client(verify=context, trust_env=False)
        self._clients.append(client)
        return client

    def requests_session(self) -> requests.Session:
        session = requests.Session()
        session.verify = str(self.ca_file)
        # Without this, REQUESTS_CA_BUNDLE in the environment silently overrides ``verify``.
        session.trust_env = False
        self._clients.append(session)
        return session

    def transport_options(self) -> dict[str, Any]:
        """Keyword arguments for ``GraphTransport`` pointing at this fake (secret sign-in)."""
        return {
            "tenant_id": self.tenant_id,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "sender": self.sender,
            "authority_host": self.authority_host,
            "graph_base_url": self.graph_base_url,
            "http_client": self.httpx_client(),
            "msal_http_client": self.requests_session(),
        }

    # --- scripting and inspection -----------------------------------------------------------

    def script_batch(self, *answers: int | Scripted) -> None:
        """Answers for the next ``$batch`` calls as a whole; a 2xx entry lets the call through."""
        with self._lock:
            self._batch_script.extend(_scripted(a) for a in answers)

    def script_send(self, *answers: int | Scripted) -> None:
        """Answers for the next sendMail operations; a 2xx entry delivers the message."""
        with self._lock:
            self._send_script.extend(_scripted(a) for a in answers)

    def script_token(self, *answers: int | Scripted) -> None:
        """Answers for the next token requests (errors use the OAuth error format)."""
        with self._lock:
            self._token_script.extend(_scripted(a) for a in answers)

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def graph_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith("/v1.0/")]

    @property
    def token_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/oauth2/v2.0/token")]

    @property
    def delivered(self) -> list[DeliveredMessage]:
        with self._lock:
            return list(self._delivered)

    # --- protocol -----------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Response:
        with self._lock:
            self._requests.append(request)
        path = urlsplit(request.path).path
        tenant_prefix = f"/{self.tenant_id}"
        if (
            request.method == "GET"
            and path == f"{tenant_prefix}/v2.0/.well-known/openid-configuration"
        ):
            return _json(200, self._discovery_document())
        if request.method == "POST" and path == f"{tenant_prefix}/oauth2/v2.0/token":
            return self._token(request)
        if request.method == "POST" and path == "/v1.0/$batch":
            return self._batch(request)
        if request.method == "POST" and path.startswith("/v1.0/users/"):
            return self._direct_send(request, path.removeprefix("/v1.0"))
        return _json(404, _graph_error("ResourceNotFound", f"no route {request.method} {path}"))

    def _discovery_document(self) -> dict[str, Any]:
        base = f"{self.url}/{self.tenant_id}"
        return {
            "issuer": f"{base}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            "tenant_region_scope": "EU",
        }

    def _token(self, request: RecordedRequest) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        with self._lock:
            scripted = self._token_script.popleft() if self._token_script else None
        if scripted is not None and scripted.status >= 400:
            oauth_error = {
                "error": scripted.code or "temporarily_unavailable",
                "error_description": "scripted",
            }
            return _json(scripted.status, oauth_error, scripted.headers())
        problem = self._check_token_request(form)
        if problem is not None:
            status, error, description = problem
            return _json(status, {"error": error, "error_description": description})
        with self._lock:
            self._issued += 1
            token = f"fake-token-{self._issued}-{secrets.token_hex(8)}"
            self._tokens.add(token)
        return _json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "ext_expires_in": self.token_lifetime,
                "access_token": token,
            },
        )

    def _check_token_request(self, form: dict[str, str]) -> tuple[int, str, str] | None:
        if form.get("grant_type") != "client_credentials":
            return 400, "unsupported_grant_type", f"grant_type {form.get('grant_type')!r}"
        if form.get("client_id") != self.client_id:
            return 400, "unauthorized_client", "AADSTS700016: application not found"
        if set((form.get("scope") or "").split()) != {GRAPH_SCOPE}:
            return 400, "invalid_scope", f"AADSTS70011: scope {form.get('scope')!r}"
        if "client_secret" in form:
            if self.client_secret is None or form["client_secret"] != self.client_secret:
                return 401, "invalid_client", "AADSTS7000215: invalid client secret"
            return None
        if "client_assertion" in form and self._client_key is not None:
            try:
                claims = jwt.decode(
                    form["client_assertion"],
                    key=self._client_key,
                    algorithms=["RS256", "PS256"],
                    audience=self.token_url,
                )
            except jwt.PyJWTError as exc:
                return 401, "invalid_client", f"AADSTS700027: assertion refused: {exc}"
            if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
                return 401, "invalid_client", "AADSTS700027: assertion iss/sub mismatch"
            return None
        return 401, "invalid_client", "AADSTS7000216: client credentials missing"

    def _authorised(self, request: RecordedRequest) -> bool:
        header = {k.lower(): v for k, v in request.headers.items()}.get("authorization", "")
        scheme, _, token = header.partition(" ")
        with self._lock:
            return scheme.lower() == "bearer" and token in self._tokens

    def _unauthorised(self) -> Response:
        body = _graph_error("InvalidAuthenticationToken", "Access token validation failure.")
        return _json(401, body, {"WWW-Authenticate": 'Bearer realm="", error="invalid_token"'})

    def _scripted_answer(self, queue: deque[Scripted]) -> Scripted | None:
        with self._lock:
            scripted = queue.popleft() if queue else None
            if scripted is not None and scripted.status == 401:
                self._tokens.clear()
        return scripted

    def _batch(self, request: RecordedRequest) -> Response:
        request_id = {"request-id": str(uuid.uuid4())}
        scripted = self._scripted_answer(self._batch_script)
        if scripted is not None and scripted.status >= 300:
            return _json(scripted.status, scripted.body(), {**scripted.headers(), **request_id})
        if not self._authorised(request):
            return self._unauthorised()
        try:
            items = request.json()["requests"]
        except (ValueError, KeyError, TypeError):
            return _json(400, _graph_error("BadRequest", "Invalid batch payload format."))
        if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
            return _json(400, _graph_error("BadRequest", "Batch needs 1 to 20 requests."))
        if len({item.get("id") for item in items}) != len(items):
            return _json(400, _graph_error("BadRequest", "Duplicate request ids."))
        answers = [self._batch_item(item) for item in items]
        # Graph lists batch answers in no particular order; reversing them makes a client that
        # relies on the order fail here rather than in production.
        return _json(200, {"responses": answers[::-1]}, request_id)

    def _batch_item(self, item: dict[str, Any]) -> dict[str, Any]:
        headers = {k.lower(): v for k, v in (item.get("headers") or {}).items()}
        url = "/" + str(item.get("url", "")).lstrip("/")
        answer_headers: dict[str, str] = {}
        if item.get("method") != "POST" or not url.startswith("/users/"):
            status, body = 400, _graph_error("BadRequest", "Bad item.")
        elif "application/json" not in headers.get("content-type", ""):
            status = 400
            body = _graph_error("BadRequest", "Content-Type application/json required.")
        else:
            status, answer_headers, body = self._send_mail(url, item.get("body"))
        answer: dict[str, Any] = {"id": item.get("id"), "status": status, "headers": answer_headers}
        if body is not None:
            answer["body"] = body
        return answer

    def _direct_send(self, request: RecordedRequest, path: str) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        try:
            payload = request.json()
        except ValueError:
            payload = None
        status, headers, body = self._send_mail(path, payload)
        return _json(status, body, headers)

    def _send_mail(self, path: str, payload: object) -> tuple[int, dict[str, str], Any]:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[2] != "sendMail":
            return 400, {}, _graph_error("BadRequest", f"Unsupported url {path}")
        mailbox = unquote(parts[1])
        if mailbox.lower() != self.sender.lower():
            return 404, {}, _graph_error("ErrorInvalidUser", f"No mailbox {mailbox}")
        scripted = self._scripted_answer(self._send_script)
        if scripted is not None and scripted.status >= 300:
            return scripted.status, scripted.headers(), scripted.body()
        message, problem = _parse_message(payload)
        if message is None or not isinstance(payload, dict):
            return 400, {}, _graph_error("ErrorInvalidRequest", problem)
        with self._lock:
            self._delivered.append(
                DeliveredMessage(
                    sender=mailbox,
                    subject=message.get("subject", ""),
                    to=_addresses(message.get("toRecipients")),
                    html=message["body"]["content"],
                    internet_message_id=message.get("internetMessageId"),
                    reply_to=_addresses(message.get("replyTo")),
                    save_to_sent_items=bool(payload.get("saveToSentItems", True)),
                    raw=message,
                )
            )
        return 202, {}, None


def _scripted(answer: int | Scripted) -> Scripted:
    return answer if isinstance(answer, Scripted) else Scripted(answer)


def _addresses(recipients: object) -> tuple[str, ...]:
    if not isinstance(recipients, list):
        return ()
    return tuple(str(r.get("emailAddress", {}).get("address", "")) for r in recipients)


def _parse_message(payload: object) -> tuple[dict[str, Any] | None, str]:
    """The ``message`` of a sendMail body, or None and what is wrong with it."""
    message = payload.get("message") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        return None, "Empty Payload. JSON content expected."
    body = message.get("body")
    if not isinstance(body, dict) or str(body.get("contentType", "")).lower() not in {
        "html",
        "text",
    }:
        return None, "message.body needs contentType HTML or Text"
    if not isinstance(body.get("content"), str):
        return None, "message.body.content must be a string"
    recipients = _addresses(message.get("toRecipients"))
    if not recipients or any("@" not in address for address in recipients):
        return None, "ErrorInvalidRecipients: at least one valid recipient is required"
    return message, ""
