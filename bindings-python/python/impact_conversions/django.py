"""Django integration: capture ``irclickid`` on every request and keep it in a first-party
cookie, byte for byte as the core decides.

Settings (all optional)::

    IMPACT = {
        "ACCOUNT_SID": "IR...", "AUTH_TOKEN": "...",           # for get_client()
        "CLICK_ID": {"cookie_name": "impact_irclickid", "max_age_secs": 2592000,
                     "handoff": {"sister_domains": ["example-shop.de"], "secret": "..."}},
        "CONSENT": "myapp.consent.tracking_consent",          # callable(request) -> "granted"|"denied"|"unknown"
    }

Add ``"impact_conversions.django.ClickIdMiddleware"`` to ``MIDDLEWARE``. Each request gets
``request.impact_click_id`` (or ``None``). Store it with the order at checkout
(``click_id_for_order(request)``) and submit after payment, from the view or a task queue.
"""
from __future__ import annotations

import threading
from http.cookies import Morsel
from typing import Any, Callable, Dict, Optional, Union

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from django.conf import settings  # type: ignore[import-untyped]
from django.http import HttpRequest, HttpResponse  # type: ignore[import-untyped]
from django.utils.module_loading import import_string  # type: ignore[import-untyped]

from ._api import capture
from ._errors import ConfigError
from ._types import CaptureOutcome
from .client import Client

__all__ = ["ClickIdMiddleware", "click_id_for_order", "get_client"]


def _settings() -> Dict[str, Any]:
    return dict(getattr(settings, "IMPACT", {}) or {})


class _RawMorsel(Morsel):  # type: ignore[type-arg]
    """A cookie whose header value is exactly the core's ``Set-Cookie`` string.

    Django's ``HttpResponse.headers`` holds one value per name, so several ``Set-Cookie``
    headers can only leave through ``response.cookies``, whose handlers (WSGI and ASGI)
    write ``morsel.output(header="")``; Django's own cookie API would re-encode the value
    and reorder attributes. This morsel prints the core's string untouched, also after a
    copy or a pickle (cache middleware)."""

    def __init__(self, raw: str) -> None:
        super().__init__()
        name, _, rest = raw.partition("=")
        value = rest.split(";", 1)[0]
        self.__dict__["_raw"] = raw
        self._key, self._value, self._coded_value = name, value, value

    @property
    def raw(self) -> str:
        return str(self.__dict__["_raw"])

    def OutputString(self, attrs: Any = None) -> str:
        return self.raw

    def output(self, attrs: Any = None, header: str = "Set-Cookie:") -> str:
        return f"{header} {self.raw}" if header else self.raw

    def js_output(self, attrs: Any = None) -> str:
        return ""  # never exposed to scripts (HttpOnly)

    def copy(self) -> "_RawMorsel":
        return _RawMorsel(self.raw)

    def __reduce__(self) -> Any:
        return (_RawMorsel, (self.raw,))


Consent = Callable[[HttpRequest], Union[str, bool, None]]

_CONSENT_WORDS = {True: "granted", False: "denied", None: "unknown"}


def _consent_hook(hook: Union[str, Consent, None]) -> Optional[Consent]:
    if hook is None:
        return None
    fn: Consent = import_string(hook) if isinstance(hook, str) else hook
    if not callable(fn):
        raise ConfigError(f"settings.IMPACT['CONSENT'] must be a callable or its dotted path, not {hook!r}")
    return fn


def _consent(request: HttpRequest, hook: Optional[Consent]) -> str:
    """The hook's answer for this request: ``"granted"``/``"denied"``/``"unknown"``, or
    ``True``/``False``/``None`` for the same."""
    if hook is None:
        return "unknown"
    answer = hook(request)
    return _CONSENT_WORDS[answer] if answer is None or isinstance(answer, bool) else str(answer)


class ClickIdMiddleware:
    """Runs the core's ``capture`` on the raw URL and ``Cookie`` header and appends the
    core's exact ``Set-Cookie`` strings to the response. Works in sync and async stacks
    (capture is a few microseconds of CPU, so the async path calls it directly)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        conf = _settings()
        self.config: Dict[str, Any] = dict(conf.get("CLICK_ID", {}))
        self.consent_hook = _consent_hook(conf.get("CONSENT"))
        # A bad CLICK_ID setting fails when Django loads the middleware, not on every request.
        capture(self.config, scheme="https", host="localhost", url="/", now=0)

    def _capture(self, request: HttpRequest) -> CaptureOutcome:
        outcome = capture(
            self.config,
            scheme=request.scheme or "http",
            host=request.get_host(),
            url=request.get_full_path(),
            cookie=request.META.get("HTTP_COOKIE"),
            referer=request.META.get("HTTP_REFERER"),
            forwarded_proto=request.META.get("HTTP_X_FORWARDED_PROTO"),
            consent=_consent(request, self.consent_hook),
        )
        setattr(request, "impact_click_id", outcome.click_id)
        setattr(request, "impact_click_outcome", outcome)
        return outcome

    @staticmethod
    def _add_cookies(response: HttpResponse, outcome: CaptureOutcome) -> HttpResponse:
        for i, raw in enumerate(outcome.set_cookie):
            # One entry per header: the same cookie name may be deleted in one scope and
            # written in another, so keys are made unique.
            dict.__setitem__(response.cookies, f"{raw.partition('=')[0]}\x00{i}", _RawMorsel(raw))
        return response

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        outcome = self._capture(request)
        return self._add_cookies(self.get_response(request), outcome)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        outcome = self._capture(request)
        return self._add_cookies(await self.get_response(request), outcome)


def click_id_for_order(request: HttpRequest) -> Optional[str]:
    """The click id to save with the order now, and send as ``click_id`` after payment."""
    value = getattr(request, "impact_click_id", None)
    return str(value) if value else None


_client: Optional[Client] = None
_client_lock = threading.Lock()


def get_client(**options: Any) -> Client:
    """A client from ``settings.IMPACT`` (``ACCOUNT_SID``, ``AUTH_TOKEN``, ``BASE_URL``),
    falling back to the ``IMPACT_*`` environment variables. Without ``options`` the same
    client (one connection pool, safe across threads and forks) is returned every time."""
    global _client
    if not options and _client is not None:
        return _client
    conf = _settings()
    if conf.get("ACCOUNT_SID"):
        client = Client(conf["ACCOUNT_SID"], conf.get("AUTH_TOKEN"), base_url=conf.get("BASE_URL"), **options)
    else:
        client = Client.from_env(**options)
    if not options:
        with _client_lock:
            if _client is None:
                _client = client
            client = _client
    return client
