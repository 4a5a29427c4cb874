"""One exception class per stable error code of the core (the same codes in every language)."""
from __future__ import annotations

import builtins
import json
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Type

from ._convert import explain, hint
from ._types import Issue

__all__ = [
    "ImpactError", "ValidationError", "ConfigError", "AuthError", "ApiError", "RateLimitedError",
    "TransportError", "TimeoutError", "UnconfirmedError", "InternalError", "ApiFieldError",
]


class ApiFieldError:
    """A field error from impact.com's 400 answer."""

    __slots__ = ("field", "message")

    def __init__(self, field: Optional[str], message: str) -> None:
        self.field = field
        self.message = message

    def __repr__(self) -> str:
        return f"ApiFieldError(field={self.field!r}, message={self.message!r})"


class ImpactError(Exception):
    """Base class. ``code`` is the stable code; the other fields are set where they apply."""

    code: str = ""

    def __init__(self, message: str, *, issues: Optional[List[Issue]] = None, status: Optional[int] = None,
                 attempts: Optional[int] = None, reset_at: Optional[datetime] = None,
                 api_errors: Optional[List[ApiFieldError]] = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues: List[Issue] = issues or []
        self.status = status
        self.attempts = attempts
        self.reset_at = reset_at
        self.api_errors: List[ApiFieldError] = api_errors or []

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again later could succeed."""
        return self.code in ("rate_limited", "transport", "timeout")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationError(ImpactError, ValueError):
    """The conversion breaks a rule; nothing was sent. ``issues`` lists every problem."""
    code = "validation"


class ConfigError(ImpactError, ValueError):
    """The client configuration is unusable (credentials, base URL, options)."""
    code = "config"


class AuthError(ImpactError):
    """impact.com refused the credentials (401) or their scope (403)."""
    code = "auth"


class ApiError(ImpactError):
    """impact.com refused the request (another non-retryable 4xx); see ``api_errors``."""
    code = "api"


class RateLimitedError(ImpactError):
    """The hourly budget is spent until ``reset_at``, beyond the call's deadline."""
    code = "rate_limited"


class TransportError(ImpactError):
    """Retries exhausted on 5xx or network faults; ``attempts`` were made."""
    code = "transport"


class TimeoutError(ImpactError, builtins.TimeoutError):
    """The deadline passed before a definitive answer."""
    code = "timeout"


class UnconfirmedError(ImpactError):
    """A 2xx that is not impact's JSON: the conversion may or may not be queued."""
    code = "unconfirmed"


class InternalError(ImpactError):
    """A bug inside the library."""
    code = "internal"


_BY_CODE: Dict[str, Type[ImpactError]] = {
    cls.code: cls for cls in (ValidationError, ConfigError, AuthError, ApiError, RateLimitedError,
                              TransportError, TimeoutError, UnconfirmedError, InternalError)
}


def error_from_json(text: str, notes: Optional[List[str]] = None) -> ImpactError:
    """Builds the exception for the core's error JSON. ``notes``: the Python types that had
    no JSON form (see ``_convert.to_json``)."""
    data: Dict[str, Any] = json.loads(text)
    cls = _BY_CODE.get(data.get("code", ""), InternalError)
    reset = data.get("reset_at")
    issues = explain(data.get("issues", []), notes)
    message = data.get("message", "")
    if any(i.get("code") == "invalid_type" for i in issues):
        message += hint(notes)
    return cls(
        message,
        issues=[Issue.from_dict(i) for i in issues],
        status=data.get("status"),
        attempts=data.get("attempts"),
        reset_at=datetime.fromtimestamp(reset, tz=timezone.utc) if reset is not None else None,
        api_errors=[ApiFieldError(e.get("field"), e.get("message", "")) for e in data.get("api_errors", [])],
    )
