"""Validation, encoding, discount preview and click-id capture: the core's pure functions."""
from __future__ import annotations

import json
import time
from datetime import datetime
from decimal import Decimal
from typing import Any, List, Mapping, Optional, Tuple, Union

from . import _native
from ._convert import Conversion, explain, merge, to_json
from ._errors import error_from_json
from ._types import CaptureOutcome, DiscountShare, Issue, ValidationResult

__all__ = ["validate", "encode", "allocate_discount", "capture", "read_stored", "decorate_url", "clear_click_id"]


def _native_call(fn: Any, *args: Any, notes: Optional[List[str]] = None) -> Any:
    try:
        return fn(*args)
    except _native.NativeError as e:
        raise error_from_json(str(e.args[0]), notes) from None


def _conversion(conversion: Optional[Conversion], fields: Mapping[str, Any]) -> Tuple[str, List[str]]:
    """The conversion's JSON text, and the Python types in it that have no JSON form."""
    notes: List[str] = []
    return to_json(merge(conversion, fields), notes), notes


def validate(conversion: Optional[Conversion] = None, /, **fields: Any) -> ValidationResult:
    """Every error and warning at once; never raises for bad input."""
    text, notes = _conversion(conversion, fields)
    report = json.loads(_native.validate_json(text))
    return ValidationResult([Issue.from_dict(i) for i in explain(report["errors"], notes)],
                            [Issue.from_dict(i) for i in report["warnings"]])


def encode(conversion: Optional[Conversion] = None, /, **fields: Any) -> str:
    """The exact form body that would be sent; raises ``ValidationError`` if invalid."""
    text, notes = _conversion(conversion, fields)
    return str(_native_call(_native.encode, text, notes=notes))


def allocate_discount(conversion: Optional[Conversion] = None, /, **fields: Any) -> List[DiscountShare]:
    """How impact.com spreads ``OrderDiscount`` over the items, exact in minor units."""
    text, notes = _conversion(conversion, fields)
    data = json.loads(_native_call(_native.allocate_discount, text, notes=notes))
    return [DiscountShare(s["index"], s.get("sku"), Decimal(s["sub_total"]), Decimal(s["share"]), Decimal(s["net"]))
            for s in data["items"]]


Now = Union[int, datetime, str, None]


def _now_ms(now: Now) -> Union[int, str]:
    """Unix milliseconds; an RFC 3339 string is passed to the core as is."""
    if now is None:
        return int(time.time() * 1000)
    if isinstance(now, datetime):
        return int(now.timestamp() * 1000)
    if isinstance(now, str):
        return now
    return int(now)


def _now_int(now: Now) -> int:
    value = _now_ms(now)
    return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000) if isinstance(value, str) else value


def capture(config: Optional[Mapping[str, Any]] = None, *, scheme: str, host: str, url: Optional[str] = None,
            query: Optional[str] = None, cookie: Optional[str] = None, referer: Optional[str] = None,
            forwarded_proto: Optional[str] = None, consent: str = "unknown", now: Now = None) -> CaptureOutcome:
    """Decides what to do with ``irclickid`` on one request; returns the exact ``Set-Cookie``
    values to add to the response (add them verbatim; do not re-encode)."""
    request = {"scheme": scheme, "host": host, "url": url, "query": query, "cookie": cookie, "referer": referer,
               "forwarded_proto": forwarded_proto, "consent": consent, "now": _now_ms(now)}
    request = {k: v for k, v in request.items() if v is not None}
    out = _native_call(_native.capture, to_json(dict(config or {})), to_json(request))
    return CaptureOutcome.from_dict(json.loads(out))


def read_stored(cookie_header: str, config: Optional[Mapping[str, Any]] = None, *, now: Now = None) -> Optional[str]:
    """The click id kept in the ``Cookie`` header (still inside the referral window), if any."""
    out = json.loads(_native_call(_native.read_stored, to_json(dict(config or {})), cookie_header, _now_int(now)))
    click_id = out.get("click_id")
    return str(click_id) if click_id is not None else None


def decorate_url(url: str, click_id: str, config: Optional[Mapping[str, Any]] = None, *, now: Now = None) -> str:
    """Adds the click id (or a signed hand-off token) to links to the site's sister domains;
    every other URL comes back unchanged."""
    out = json.loads(_native_call(_native.decorate_url, to_json(dict(config or {})), url, click_id, _now_int(now)))
    return str(out["url"])


def clear_click_id(host: str, config: Optional[Mapping[str, Any]] = None) -> List[str]:
    """``Set-Cookie`` values that delete the click-id cookie (both scopes) for ``host``."""
    return list(json.loads(_native_call(_native.clear, to_json(dict(config or {})), host)))
