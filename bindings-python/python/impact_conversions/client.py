"""The retrying client, sync and asyncio. The work runs in the core's runtime with the GIL
released; events reach the ``impact_conversions`` logger."""
from __future__ import annotations

import json
import logging
import math
import os
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple, Type, TypeVar, Union

from . import _native
from ._convert import Conversion, merge, to_json
from ._errors import ConfigError, ImpactError, error_from_json
from ._types import Receipt, SubmissionStatus

if TYPE_CHECKING:
    import asyncio

__all__ = ["Client", "AsyncClient"]

logger = logging.getLogger("impact_conversions")
logger.addHandler(logging.NullHandler())  # a library logs; the application decides where to

_LEVELS = {"attempt": logging.DEBUG, "retry": logging.INFO, "success": logging.INFO, "give_up": logging.WARNING}
_BITS = ((1, logging.DEBUG), (2, logging.INFO), (4, logging.INFO), (8, logging.WARNING))  # native event bits


def _log_mask() -> int:
    """The event kinds the logger would record now (the rest never cross into Python)."""
    return sum(bit for bit, level in _BITS if logger.isEnabledFor(level))

# The runtime belongs to one process: a forked child (gunicorn --preload, uWSGI, Celery
# prefork) starts its own on first use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_native._after_fork_in_child)


def _log_event(text: str) -> None:
    event = json.loads(text)
    kind = event.get("kind", "")
    args: Tuple[Any, ...]
    if kind == "retry":
        msg = "impact.com %s attempt %s failed (%s); retrying in %s ms"
        args = (event.get("operation"), event.get("attempt"), event.get("reason"), event.get("delay_ms"))
    elif kind == "give_up":
        msg, args = "impact.com %s gave up after %s attempts: %s", (event.get("operation"), event.get("attempts"), event.get("reason"))
    elif kind == "success":
        msg, args = "impact.com %s succeeded after %s attempts (%s ms)", (event.get("operation"), event.get("attempts"), event.get("elapsed_ms"))
    else:
        msg, args = "impact.com %s attempt %s", (event.get("operation"), event.get("attempt"))
    logger.log(_LEVELS.get(kind, logging.DEBUG), msg, *args, extra={"impact_event": event})


def _config(account_sid: Optional[str], auth_token: Optional[str], base_url: Optional[str],
            options: Mapping[str, Any]) -> str:
    config: Dict[str, Any] = {"binding": "python"}
    for key, value in (("account_sid", account_sid), ("auth_token", auth_token), ("base_url", base_url)):
        if value is not None:
            config[key] = value
    for key, value in options.items():
        # Seconds (or a timedelta) in Python, milliseconds in the core.
        if key in ("timeout", "deadline"):
            config["deadline_ms"] = _millis(key, value)
        elif key == "attempt_timeout":
            config["attempt_timeout_ms"] = _millis(key, value)
        else:
            config[key] = value
    return to_json(config)


def _millis(name: str, value: Any) -> int:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) \
            or not math.isfinite(value) or not value > 0:
        raise ConfigError(f"{name} must be a positive number of seconds (or a timedelta), not {value!r}")
    return max(1, int(value * 1000))


_C = TypeVar("_C", bound="_Base")


class _Base:
    def __init__(self, account_sid: Optional[str] = None, auth_token: Optional[str] = None, *,
                 base_url: Optional[str] = None, **options: Any) -> None:
        """``options``: ``max_attempts``, ``base_delay_ms``, ``max_delay_ms``, ``timeout`` (total
        seconds, default 30), ``attempt_timeout`` (seconds, default 10),
        ``rate_limit_fallback_ms``."""
        try:
            self._native = _native.NativeClient(_config(account_sid, auth_token, base_url, options), _log_event)
        except _native.NativeError as e:
            raise error_from_json(str(e.args[0])) from None

    @classmethod
    def from_env(cls: Type[_C], **options: Any) -> _C:
        """``IMPACT_ACCOUNT_SID``, ``IMPACT_AUTH_TOKEN`` and optionally ``IMPACT_BASE_URL``."""
        return cls(os.environ.get("IMPACT_ACCOUNT_SID") or None, os.environ.get("IMPACT_AUTH_TOKEN") or None,
                   base_url=os.environ.get("IMPACT_BASE_URL") or None, **options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._native.describe()})"


def _conversion(conversion: Optional[Conversion], fields: Mapping[str, Any]) -> Tuple[str, List[str]]:
    notes: List[str] = []
    return to_json(merge(conversion, fields), notes), notes


def _batch(conversions: Iterable[Conversion], concurrency: int) -> Tuple[str, List[List[str]]]:
    """The ``submit_many`` arguments, and per conversion the Python types that had no JSON
    form (the core checks every entry and the concurrency, and answers one result each)."""
    notes: List[List[str]] = []
    texts: List[str] = []
    for conversion in conversions:  # once: any iterable, a generator too
        notes.append([])
        texts.append(to_json(conversion, notes[-1]))
    return '{"conversions":[' + ",".join(texts) + '],"concurrency":' + to_json(concurrency) + "}", notes


def _many(text: str, notes: List[List[str]]) -> List[Union[Receipt, ImpactError]]:
    return [
        Receipt.from_dict(item["ok"]) if "ok" in item else error_from_json(json.dumps(item["error"]), n)
        for item, n in zip(json.loads(text), notes)
    ]


class Client(_Base):
    """Blocking client; safe to share between threads (the GIL is released while it waits)."""

    def _call(self, operation: str, args: str, notes: Optional[List[str]] = None) -> Any:
        try:
            self._native.set_log_mask(_log_mask())
            return self._native.call(operation, args)
        except _native.NativeError as e:
            raise error_from_json(str(e.args[0]), notes) from None

    def submit(self, conversion: Optional[Conversion] = None, /, **fields: Any) -> Receipt:
        """Validates, then submits with retries. Raises an ``ImpactError`` subclass."""
        return Receipt.from_dict(json.loads(self._call("submit", *_conversion(conversion, fields))))

    def submit_many(self, conversions: Iterable[Conversion], *, concurrency: int = 8) -> List[Union[Receipt, ImpactError]]:
        """One result per input, in input order: a ``Receipt`` or the ``ImpactError``."""
        args, notes = _batch(conversions, concurrency)
        return _many(self._call("submit_many", args), notes)

    def submission_status(self, submission: str) -> SubmissionStatus:
        """The processing status of a submission id or ``QueuedUri``."""
        return SubmissionStatus.from_dict(json.loads(self._call("submission_status", to_json({"id": submission}))))

    def wait_for_submission(self, submission: str, timeout: float = 60.0) -> SubmissionStatus:
        """Polls until processed; raises ``TimeoutError`` after ``timeout`` seconds."""
        args = to_json({"id": submission, "timeout": timeout})
        return SubmissionStatus.from_dict(json.loads(self._call("wait_for_submission", args)))

    def modify_action(self, change: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Receipt:
        """``PUT /Actions``: e.g. ``action_tracker_id=..., order_id=..., reason="ITEM_RETURNED", sku=..., quantity=1``."""
        return Receipt.from_dict(json.loads(self._call("modify_action", *_conversion(change, fields))))

    def reverse_action(self, reversal: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Receipt:
        """``DELETE /Actions``: ``action_id=...`` (or tracker + order id), ``disposition_code=...``."""
        return Receipt.from_dict(json.loads(self._call("reverse_action", *_conversion(reversal, fields))))


class AsyncClient(_Base):
    """asyncio client: the same methods as coroutines; the event loop never blocks."""

    async def _call(self, operation: str, args: str, notes: Optional[List[str]] = None) -> str:
        import asyncio  # here, not at import: most processes never use it (import time)

        loop = asyncio.get_running_loop()
        future: "asyncio.Future[str]" = loop.create_future()

        def settle(ok: Optional[str], err: Optional[str]) -> None:
            if future.done():
                return
            if err is not None:
                future.set_exception(error_from_json(err, notes))
            else:
                future.set_result(ok or "null")

        def done(ok: Optional[str], err: Optional[str]) -> None:
            try:
                loop.call_soon_threadsafe(settle, ok, err)
            except RuntimeError:
                pass  # the loop was closed before the call ended: nobody is waiting

        try:
            self._native.set_log_mask(_log_mask())
            self._native.call_async(operation, args, done)
        except _native.NativeError as e:
            raise error_from_json(str(e.args[0]), notes) from None
        return await future

    async def submit(self, conversion: Optional[Conversion] = None, /, **fields: Any) -> Receipt:
        """Validates, then submits with retries. Raises an ``ImpactError`` subclass."""
        return Receipt.from_dict(json.loads(await self._call("submit", *_conversion(conversion, fields))))

    async def submit_many(self, conversions: Iterable[Conversion], *, concurrency: int = 8) -> List[Union[Receipt, ImpactError]]:
        """One result per input, in input order: a ``Receipt`` or the ``ImpactError``."""
        args, notes = _batch(conversions, concurrency)
        return _many(await self._call("submit_many", args), notes)

    async def submission_status(self, submission: str) -> SubmissionStatus:
        """The processing status of a submission id or ``QueuedUri``."""
        return SubmissionStatus.from_dict(json.loads(await self._call("submission_status", to_json({"id": submission}))))

    async def wait_for_submission(self, submission: str, timeout: float = 60.0) -> SubmissionStatus:
        """Polls until processed; raises ``TimeoutError`` after ``timeout`` seconds."""
        args = to_json({"id": submission, "timeout": timeout})
        return SubmissionStatus.from_dict(json.loads(await self._call("wait_for_submission", args)))

    async def modify_action(self, change: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Receipt:
        """``PUT /Actions``: see ``Client.modify_action``."""
        return Receipt.from_dict(json.loads(await self._call("modify_action", *_conversion(change, fields))))

    async def reverse_action(self, reversal: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> Receipt:
        """``DELETE /Actions``: see ``Client.reverse_action``."""
        return Receipt.from_dict(json.loads(await self._call("reverse_action", *_conversion(reversal, fields))))
