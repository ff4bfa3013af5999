"""Microsoft Graph mail transport: ``sendMail`` through JSON batching, signed in with msal.

The app signs in as itself (client-credentials flow, a client secret or a certificate) and sends
from one mailbox. Messages go 20 to a ``$batch`` request, so 1,000 reminders cost 50 HTTP calls.
Graph answers each request in a batch separately: 202 is sent, 429 and 5xx are retried (after
``Retry-After`` when given, else exponential back-off with jitter) up to ``max_retries``, other
4xx are permanent failures. A 401 makes the transport drop its cached token, fetch a new one
and retry once. msal keeps the token in its in-memory cache, so one ``GraphTransport`` (one msal
application) reuses it across calls until it nears expiry.
"""

from __future__ import annotations

import enum
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx
import msal

from tracker.errors import OperationFailed
from tracker.mail.message import OutgoingMessage, check_address, clean_text, flatten_header_text
from tracker.mail.protocol import (
    OutcomeSink,
    SendResult,
    TransportUnavailable,
    delivered,
    failed,
    report_outcomes,
)

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]
BATCH_LIMIT = 20  # Graph's maximum number of requests in one JSON batch.
_BACKOFF_BASE = 1.0
_BACKOFF_CAP = 60.0
# Characters XML 1.0 forbids; Exchange stores messages as XML-like MIME and refuses them.
_XML_FORBIDDEN = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0xFFFE, 0xFFFF])


class _Kind(enum.Enum):
    OK = "ok"
    REFRESH = "refresh"  # 401: fetch a new token, then retry
    RETRY = "retry"  # throttled or a server error: wait, then retry
    PERMANENT = "permanent"  # Graph will never accept this request
    GIVE_UP = "give up"  # temporary, but not worth retrying inside this call


@dataclass(frozen=True)
class _Reply:
    kind: _Kind
    error: str = ""
    retry_after: float | None = None
    provider_id: str | None = None


@dataclass
class _Call:
    """The state of one ``send`` call."""

    messages: Sequence[OutgoingMessage]
    token: str
    on_outcomes: OutcomeSink | None = None
    results: dict[int, SendResult] = field(default_factory=dict)
    reported: set[int] = field(default_factory=set)
    delivered_any: bool = False
    token_just_refreshed: bool = False

    def report_new(self) -> None:
        """Hand every result not yet reported to the caller's sink, in message order."""
        fresh = sorted(set(self.results) - self.reported)
        self.reported.update(fresh)
        report_outcomes(self.on_outcomes, [(index, self.results[index]) for index in fresh])


class _AuthFailure(OperationFailed):
    """No usable access token: Entra unreachable, credentials refused, or the token rejected."""


def graph_safe_text(value: str) -> str:
    """``value`` without the characters Graph refuses in JSON message content."""
    return clean_text(value).translate(_XML_FORBIDDEN)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    return next((str(v) for k, v in headers.items() if k.lower() == wanted), None)


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _describe_error(status: int, body: object) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return f"HTTP {status} {error.get('code', '')}: {error.get('message', '')}".strip()
    text = body if isinstance(body, str) else ""
    return f"HTTP {status} {text[:300]}".strip()


def _reply_for(status: object, headers: Mapping[str, str], body: object) -> _Reply:
    if not isinstance(status, int):
        return _Reply(_Kind.RETRY, "Graph gave no status for this request")
    if 200 <= status < 300:
        return _Reply(_Kind.OK, provider_id=_header(headers, "request-id"))
    error = _describe_error(status, body)
    if status == 401:
        return _Reply(_Kind.REFRESH, error)
    if status in (408, 429) or status >= 500:
        return _Reply(_Kind.RETRY, error, _parse_retry_after(_header(headers, "Retry-After")))
    return _Reply(_Kind.PERMANENT, error)


def build_send_mail_request(message: OutgoingMessage) -> dict[str, Any]:
    """The JSON body of a Graph ``sendMail`` request for ``message``."""
    graph_message: dict[str, Any] = {
        "subject": graph_safe_text(flatten_header_text(message.subject)),
        "body": {"contentType": "HTML", "content": graph_safe_text(message.html)},
        "toRecipients": [{"emailAddress": {"address": address}} for address in message.to],
        "internetMessageId": message.message_id,
    }
    if message.reply_to is not None:
        graph_message["replyTo"] = [{"emailAddress": {"address": message.reply_to}}]
    return {"message": graph_message, "saveToSentItems": True}


class GraphTransport:
    """Sends mail from ``sender``'s mailbox through Microsoft Graph."""

    def __init__(
        self,
        *,
        tenant_id: str,
        client_id: str,
        client_secret: str | None = None,
        certificate: dict[str, Any] | None = None,
        sender: str,
        authority_host: str = "https://login.microsoftonline.com",
        graph_base_url: str = "https://graph.microsoft.com/v1.0",
        http_client: httpx.Client | None = None,
        max_retries: int = 5,
        sleep: Callable[[float], None] = time.sleep,
        msal_http_client: object | None = None,
        timeout: float = 30,
        max_retry_after: float = 120,
    ) -> None:
        if (client_secret is None) == (certificate is None):
            raise ValueError("GraphTransport needs exactly one of client_secret or certificate")
        self._client_id = client_id
        self._credential: str | dict[str, Any] = client_secret or certificate or ""
        self._authority = f"{authority_host.rstrip('/')}/{tenant_id}"
        self._sender = check_address(sender, field="sender")
        self._batch_url = f"{graph_base_url.rstrip('/')}/$batch"
        self._send_url = f"/users/{quote(sender, safe='@')}/sendMail"
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._msal_http_client = msal_http_client
        self._timeout = timeout
        self._app: Any = None
        self._app_lock = threading.Lock()

    def close(self) -> None:
        """Close the HTTP client if this transport created it."""
        if self._owns_http:
            self._http.close()

    def send(
        self, messages: Sequence[OutgoingMessage], *, on_outcomes: OutcomeSink | None = None
    ) -> list[SendResult]:
        if not messages:
            return []
        try:
            token = self._acquire_token(stale=None)
        except _AuthFailure as exc:
            raise TransportUnavailable(str(exc)) from exc
        call = _Call(messages=messages, token=token, on_outcomes=on_outcomes)
        for start in range(0, len(messages), BATCH_LIMIT):
            self._deliver_chunk(call, list(range(start, min(start + BATCH_LIMIT, len(messages)))))
        call.report_new()
        return [call.results[index] for index in range(len(messages))]

    # --- tokens -------------------------------------------------------------------------------

    def _application(self) -> Any:
        # Created on first use, so building a transport never touches the network, and kept:
        # the token cache lives inside this one msal application.
        with self._app_lock:
            if self._app is None:
                options: dict[str, Any] = (
                    {"http_client": self._msal_http_client}
                    if self._msal_http_client is not None
                    else {"timeout": self._timeout}
                )
                self._app = msal.ConfidentialClientApplication(
                    self._client_id,
                    client_credential=self._credential,
                    authority=self._authority,
                    # The authority host is operator configuration, trusted as given; this also
                    # lets sovereign clouds and a local test authority work without discovery.
                    instance_discovery=False,
                    **options,
                )
            return self._app

    def _acquire_token(self, *, stale: str | None) -> str:
        try:
            app = self._application()
            if stale is not None:
                self._forget_token(app, stale)
            result = app.acquire_token_for_client(scopes=GRAPH_SCOPES)
        except (OSError, ValueError) as exc:  # requests' errors are OSErrors
            raise _AuthFailure(f"cannot get a token from {self._authority}: {exc}") from exc
        token = result.get("access_token") if isinstance(result, dict) else None
        if not isinstance(token, str) or not token:
            details = result if isinstance(result, dict) else {}
            raise _AuthFailure(
                f"Microsoft Entra refused the token request: {details.get('error')}: "
                f"{details.get('error_description')}"
            )
        return token

    @staticmethod
    def _forget_token(app: Any, token: str) -> None:
        # msal has no "force refresh" for client credentials; removing the rejected token from
        # its cache makes the next acquire_token_for_client ask Entra for a new one.
        cache = app.token_cache
        for entry in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
            if entry.get("secret") == token:
                cache.remove_at(entry)

    # --- batches ------------------------------------------------------------------------------

    def _deliver_chunk(self, call: _Call, pending: list[int]) -> None:
        retries = 0
        while pending:
            replies = self._post_batch(call, pending)
            for index in pending:
                self._record_final(call, index, replies[index])
            # Graph has answered for this $batch: its outcomes are recorded before any wait
            # for a retry and before the next $batch goes out.
            call.report_new()
            refresh = [i for i in pending if replies[i].kind is _Kind.REFRESH]
            retry = [i for i in pending if replies[i].kind is _Kind.RETRY]
            if refresh:
                self._refresh_token(call, refresh, replies)
            if retry:
                retries += 1
                self._wait_before_retry(call, retry, replies, retries)
            pending = [i for i in refresh + retry if i not in call.results]
            pending.sort()

    def _record_final(self, call: _Call, index: int, reply: _Reply) -> None:
        message = call.messages[index]
        if reply.kind is _Kind.OK:
            call.results[index] = delivered(message, provider_id=reply.provider_id)
            call.delivered_any = True
            call.token_just_refreshed = False
        elif reply.kind is _Kind.PERMANENT:
            call.results[index] = failed(message, reply.error, permanent=True)
        elif reply.kind is _Kind.GIVE_UP:
            call.results[index] = failed(message, reply.error, permanent=False)

    def _refresh_token(self, call: _Call, indices: list[int], replies: dict[int, _Reply]) -> None:
        try:
            if call.token_just_refreshed:
                raise _AuthFailure(
                    f"Microsoft Graph rejected a newly issued token ({replies[indices[0]].error}); "
                    "check the app has the Mail.Send application permission for the sender"
                )
            call.token = self._acquire_token(stale=call.token)
            call.token_just_refreshed = True
        except _AuthFailure as exc:
            if not call.delivered_any:
                raise TransportUnavailable(str(exc)) from exc
            for index in indices:
                call.results[index] = failed(call.messages[index], str(exc), permanent=False)

    def _wait_before_retry(
        self, call: _Call, indices: list[int], replies: dict[int, _Reply], retries: int
    ) -> None:
        last_error = replies[indices[0]].error
        if retries > self._max_retries:
            error = f"gave up after {retries} attempts: {last_error}"
            for index in indices:
                call.results[index] = failed(call.messages[index], error, permanent=False)
            return
        asked = [r.retry_after for i in indices if (r := replies[i]).retry_after is not None]
        delay = max(asked) if asked else self._backoff(retries)
        if delay > self._max_retry_after:
            error = f"Graph asked to wait {delay:.0f} s; left for a later attempt ({last_error})"
            for index in indices:
                call.results[index] = failed(call.messages[index], error, permanent=False)
            return
        self._sleep(delay)

    @staticmethod
    def _backoff(retries: int) -> float:
        ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2.0 ** (retries - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def _post_batch(self, call: _Call, pending: list[int]) -> dict[int, _Reply]:
        payload = {
            "requests": [
                {
                    "id": str(index),
                    "method": "POST",
                    "url": self._send_url,
                    "headers": {"Content-Type": "application/json"},
                    "body": build_send_mail_request(call.messages[index]),
                }
                for index in pending
            ]
        }
        headers = {"Authorization": f"Bearer {call.token}"}
        try:
            response = self._http.post(self._batch_url, json=payload, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if not call.delivered_any:
                raise TransportUnavailable(
                    f"cannot connect to Microsoft Graph at {self._batch_url}: {exc}"
                ) from exc
            reply = _Reply(_Kind.GIVE_UP, f"cannot connect to Microsoft Graph: {exc}")
            return dict.fromkeys(pending, reply)
        except httpx.HTTPError as exc:
            # The request may have been carried out; retrying here could send mail twice.
            reply = _Reply(_Kind.GIVE_UP, f"no answer from Microsoft Graph (may have sent): {exc}")
            return dict.fromkeys(pending, reply)
        return self._read_batch_response(response, pending)

    @staticmethod
    def _read_batch_response(response: httpx.Response, pending: list[int]) -> dict[int, _Reply]:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if not 200 <= response.status_code < 300:
            return dict.fromkeys(pending, _reply_for(response.status_code, response.headers, body))
        entries = body.get("responses") if isinstance(body, dict) else None
        by_id = {str(entry.get("id")): entry for entry in entries or [] if isinstance(entry, dict)}
        replies: dict[int, _Reply] = {}
        for index in pending:
            entry = by_id.get(str(index))
            if entry is None:
                replies[index] = _Reply(_Kind.RETRY, "missing from Graph's batch response")
                continue
            sub_headers = entry.get("headers")
            replies[index] = _reply_for(
                entry.get("status"),
                sub_headers if isinstance(sub_headers, dict) else {},
                entry.get("body"),
            )
            if replies[index].kind is _Kind.OK and replies[index].provider_id is None:
                replies[index] = _Reply(_Kind.OK, provider_id=response.headers.get("request-id"))
        return replies
