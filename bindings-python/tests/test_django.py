"""A real Django test client through the middleware."""
from __future__ import annotations

import json
from typing import Any, Dict, List

import django
import pytest
from django.conf import settings

SECRET = "a-shared-handoff-secret-of-32-bytes!!"
SHOP = {"handoff": {"sister_domains": ["example-shop.de"], "secret": SECRET}}

if not settings.configured:
    settings.configure(
        DEBUG=False, SECRET_KEY="test", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
        MIDDLEWARE=["impact_conversions.django.ClickIdMiddleware"],
        IMPACT={"CLICK_ID": SHOP, "CONSENT": "test_django.consent"},
    )
    django.setup()

from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import path  # noqa: E402

import impact_conversions as ic  # noqa: E402
from impact_conversions.django import click_id_for_order  # noqa: E402


def consent(request: HttpRequest) -> Any:
    answer = request.headers.get("X-Consent")
    return {"no": "denied", "false": False, "none": None}.get(answer or "", "granted")


def view(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"click_id": click_id_for_order(request)})


async def async_view(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"click_id": click_id_for_order(request), "async": True})


urlpatterns = [path("", view), path("landing", view), path("checkout", view), path("async", async_view)]


def set_cookies(response: HttpResponse) -> List[str]:
    return [m.OutputString() for m in response.cookies.values()]


def get(url: str, host: str = "www.example.com", **headers: str) -> HttpResponse:
    extra: Dict[str, Any] = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().get(url, HTTP_HOST=host, secure=True, **extra)


def test_landing_sets_the_exact_cookie_and_return_reads_it() -> None:
    landing = get("/landing?irclickid=Abc:123")
    assert landing.json() == {"click_id": "Abc:123"}
    [cookie] = set_cookies(landing)
    assert cookie.startswith("impact_irclickid=1.") and cookie.endswith(".Abc:123; Max-Age=2592000; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax")
    stored = cookie.split(";")[0]
    back = get("/checkout", Cookie=stored)
    assert back.json() == {"click_id": "Abc:123"}
    assert set_cookies(back) == []


def test_consent_denied_deletes_and_does_not_store() -> None:
    landing = get("/landing?irclickid=first1")
    stored = set_cookies(landing)[0].split(";")[0]
    denied = get("/landing?irclickid=second2", Cookie=stored, X_Consent="no")
    assert denied.json() == {"click_id": "second2"}
    cookies = set_cookies(denied)
    assert cookies and all("Max-Age=0" in c for c in cookies)


def test_handoff_token_crosses_to_the_sister_domain() -> None:
    url = ic.decorate_url("https://www.example-shop.de/cart", "Hand0ff", SHOP)
    assert "irclickid_token=" in url and "Hand0ff" in url
    query = url.split("?", 1)[1]
    on_sister = get(f"/checkout?{query}", host="www.example-shop.de")
    assert on_sister.json() == {"click_id": "Hand0ff"}
    assert "Domain=example-shop.de" in set_cookies(on_sister)[0]
    tampered = get(f"/checkout?{query.replace('Hand0ff', 'Hand0fX')}", host="www.example-shop.de")
    assert tampered.json() == {"click_id": None}


def wire(path: str, host: str, **headers: str) -> List[str]:
    """One request through Django's real WSGI handler and a real HTTP server: the
    ``Set-Cookie`` header values exactly as they leave the process."""
    import http.client
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from django.core.handlers.wsgi import WSGIHandler

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=Quiet)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        conn.request("GET", path, headers={"Host": host, "X-Forwarded-Proto": "https", **headers})
        response = conn.getresponse()
        response.read()
        return list(response.msg.get_all("Set-Cookie") or [])
    finally:
        thread.join(10)
        server.server_close()


def test_set_cookie_leaves_the_server_byte_for_byte() -> None:
    [landing] = wire("/landing?irclickid=Wire%3A1", "www.example.com")
    captured_at = int(landing.split(".")[1])
    expected = ic.capture(SHOP, scheme="http", host="www.example.com", url="/landing?irclickid=Wire%3A1",
                          consent="granted", now=captured_at)
    assert [landing] == expected.set_cookie
    stored = landing.split(";")[0]
    denied = wire("/landing", "www.example.com", Cookie=stored, X_Consent="no")
    expected = ic.capture(SHOP, scheme="http", host="www.example.com", url="/landing", cookie=stored, consent="denied")
    assert denied == expected.set_cookie and len(denied) >= 1


def test_raw_cookies_survive_copy_and_pickle() -> None:
    import copy
    import pickle

    landing = get("/landing?irclickid=Keep1")
    raw = set_cookies(landing)
    assert [m.OutputString() for m in pickle.loads(pickle.dumps(landing.cookies)).values()] == raw
    assert [m.copy().OutputString() for m in copy.copy(landing.cookies).values()] == raw
    assert [m.output() for m in landing.cookies.values()] == [f"Set-Cookie: {r}" for r in raw]


def test_a_bad_click_id_setting_fails_at_startup() -> None:
    from django.test import override_settings

    from impact_conversions.django import ClickIdMiddleware

    with override_settings(IMPACT={"CLICK_ID": {"max_age_secs": 0}}):
        with pytest.raises(ic.ConfigError, match="max_age_secs"):
            ClickIdMiddleware(view)


def test_get_client_reads_settings_and_is_shared() -> None:
    from django.test import override_settings

    from impact_conversions import django as integration

    integration._client = None
    with override_settings(IMPACT={"ACCOUNT_SID": "IRdjango", "AUTH_TOKEN": "django-secret-token"}):
        client = integration.get_client()
        assert integration.get_client() is client
        assert "IRdjango" in repr(client) and "django-secret-token" not in repr(client)
        assert integration.get_client(max_attempts=2) is not client
    integration._client = None


def test_consent_hook_may_answer_with_booleans() -> None:
    stored = set_cookies(get("/landing?irclickid=bool1"))[0].split(";")[0]
    denied = get("/landing?irclickid=bool2", Cookie=stored, X_Consent="false")
    assert set_cookies(denied) and all("Max-Age=0" in c for c in set_cookies(denied))
    unknown = get("/landing?irclickid=bool3", X_Consent="none")
    assert unknown.json() == {"click_id": "bool3"}


def test_async_stack_through_the_asgi_handler() -> None:
    """Django's ASGI handler, an async view, the middleware in async mode: the Set-Cookie
    header bytes sent are the core's strings."""
    import asyncio

    from django.core.handlers.asgi import ASGIHandler

    async def run() -> List[Any]:
        sent: List[Any] = []
        body_sent = False

        async def receive() -> Dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # no disconnect until the response is done
            return {"type": "http.disconnect"}

        async def send(message: Dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "https", "path": "/async", "raw_path": b"/async", "query_string": b"irclickid=Asgi%3A1",
                 "root_path": "", "headers": [(b"host", b"www.example.com")],
                 "client": ("127.0.0.1", 40000), "server": ("www.example.com", 443)}
        await ASGIHandler()(scope, receive, send)
        return sent

    sent = asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert json.loads(body) == {"click_id": "Asgi:1", "async": True}
    [cookie] = [v.decode() for k, v in start["headers"] if k.lower() == b"set-cookie"]
    captured_at = int(cookie.split(".")[1])
    expected = ic.capture(SHOP, scheme="https", host="www.example.com", url="/async?irclickid=Asgi%3A1",
                          consent="granted", now=captured_at)
    assert [cookie] == expected.set_cookie


def test_async_test_client_uses_the_async_middleware() -> None:
    import asyncio

    from django.test import AsyncClient

    async def run() -> Any:
        return await AsyncClient().get("/async?irclickid=Async2", secure=True)

    response = asyncio.run(run())
    assert response.json() == {"click_id": "Async2", "async": True}
    assert set_cookies(response)[0].startswith("impact_irclickid=1.")
