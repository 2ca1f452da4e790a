"""Outgoing webhooks: which addresses we post to, and one POST that never follows a redirect.

Two kinds of endpoint take the street's notices (docs/notifications.md):

- a WeCom group robot (企业微信群机器人): ``POST`` of ``{"msgtype": "text", "text": {...}}`` or
  ``{"msgtype": "markdown", "markdown": {...}}`` to the robot's URL; the robot answers HTTP 200 with
  ``{"errcode": 0, "errmsg": "ok"}`` when it took the message and another ``errcode`` when not
  (an unknown key, too many messages a minute), so a 200 alone is not success;
- a generic webhook: a JSON ``POST``, success being any 2xx answer (what SMS gateways and the
  street's own relays accept).

Addresses: ``https://`` always; plain ``http://`` only to a loopback host (127.0.0.0/8, ::1,
``localhost``) and only where ``NOTIFY_ALLOW_HTTP_LOOPBACK`` is on (its default follows ``DEBUG``:
the tests' and ``make run``'s local receivers). No user name or password in the URL. The check runs
when a channel is saved and again before each POST, so a setting changed later still holds.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WECOM_ROBOT = "wecom"
WEBHOOK = "webhook"
# WeCom's limits on a message's content, in bytes of UTF-8
WECOM_TEXT_BYTES = 2048
WECOM_MARKDOWN_BYTES = 4096
MAX_URL_LENGTH = 500


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The URL, stripped, if we may post to it; ``ValidationError`` with the reason otherwise."""
    url = (url or "").strip()
    if not url:
        raise ValidationError(_("Enter the webhook's address."), code="required")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            _("The address is longer than %(max)s characters.") % {"max": MAX_URL_LENGTH}, code="too_long"
        )
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a port that is not a number or out of range
    except ValueError:
        raise ValidationError(_("This is not a web address."), code="invalid") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError(_("The address must start with https:// and name a host."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Put no user name or password in the address."), code="credentials")
    if any(ch.isspace() for ch in url):
        raise ValidationError(_("The address must not contain spaces."), code="invalid")
    if parts.scheme == "http":
        if not _is_loopback(host):
            raise ValidationError(_("The address must use https://."), code="scheme")
        if not settings.NOTIFY_ALLOW_HTTP_LOOPBACK:
            raise ValidationError(
                _("Plain http:// is allowed only to this machine and only in development or tests."), code="scheme"
            )
    del port
    return url


def validate_url(url: str) -> None:
    """A model field validator."""
    check_url(url)


@dataclass
class Answer:
    ok: bool
    error: str = ""


def wecom_payload(text: str, *, markdown: bool = False, mention: str = "") -> dict[str, Any]:
    """The robot's message: text (with the mobile number to @-mention, if any) or markdown."""
    if markdown:
        return {"msgtype": "markdown", "markdown": {"content": clip_bytes(text, WECOM_MARKDOWN_BYTES)}}
    body: dict[str, Any] = {"content": clip_bytes(text, WECOM_TEXT_BYTES)}
    if mention:
        body["mentioned_mobile_list"] = [mention]
    return {"msgtype": "text", "text": body}


def clip_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, on a character boundary, with "…" if cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode(errors="ignore") + "…"


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(kind: str, url: str, payload: dict[str, Any], *, secret: str = "", headers: dict | None = None) -> Answer:
    """POST ``payload`` as JSON to ``url`` (checked again first); never follows a redirect. Returns
    whether the endpoint took it and, if not, why — in words for the center's failure list."""
    try:
        url = check_url(url)
    except ValidationError as error:
        return Answer(False, _("refused address: %(reason)s") % {"reason": " ".join(error.messages)})
    body = json.dumps(payload, ensure_ascii=False).encode()
    sent_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "jxq-cases"}
    sent_headers.update(headers or {})
    if secret:
        sent_headers["X-JXQ-Signature"] = signature(secret, body)
    timeout = settings.NOTIFY_TIMEOUT_SECONDS
    try:
        response = requests.post(url, data=body, headers=sent_headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        return Answer(False, _("no answer within %(seconds)s s") % {"seconds": timeout})
    except requests.RequestException as error:
        return Answer(False, _("could not connect: %(error)s") % {"error": type(error).__name__})
    with response:
        status = response.status_code
        if 300 <= status < 400:
            return Answer(
                False,
                _("HTTP %(status)s redirect to %(location)s, not followed")
                % {"status": status, "location": response.headers.get("Location", "?")[:200]},
            )
        if not 200 <= status < 300:
            return Answer(False, _("HTTP %(status)s: %(body)s") % {"status": status, "body": response.text[:200]})
        if kind != WECOM_ROBOT:
            return Answer(True)
        try:
            answer = response.json()
        except ValueError:
            return Answer(False, _("the robot's answer is not JSON: %(body)s") % {"body": response.text[:200]})
        if isinstance(answer, dict) and answer.get("errcode") == 0:
            return Answer(True)
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg", "") if isinstance(answer, dict) else ""
        return Answer(False, _("WeCom errcode %(code)s: %(message)s") % {"code": code, "message": str(message)[:200]})
