"""impact.com server-side conversion tracking, on a Rust core.

    from impact_conversions import Client
    client = Client.from_env()
    receipt = client.submit(campaign_id=1000, event_type_id=9876, order_id="O1",
                            event_date=datetime.now(timezone.utc), click_id=click_id,
                            currency_code="USD", amount=Decimal("49.90"))
"""
from . import _native
from ._api import allocate_discount, capture, clear_click_id, decorate_url, encode, read_stored, validate
from ._errors import (
    ApiError, ApiFieldError, AuthError, ConfigError, ImpactError, InternalError, RateLimitedError,
    TimeoutError, TransportError, UnconfirmedError, ValidationError,
)
from ._types import CaptureOutcome, DiscountShare, Issue, Receipt, SubmissionStatus, ValidationResult
from .client import AsyncClient, Client

__version__: str = _native.version()

# Public classes show as ``impact_conversions.X`` in tracebacks and reprs.
for _cls in (ApiError, ApiFieldError, AuthError, ConfigError, ImpactError, InternalError, RateLimitedError,
             TimeoutError, TransportError, UnconfirmedError, ValidationError, CaptureOutcome, DiscountShare, Issue,
             Receipt, SubmissionStatus, ValidationResult, AsyncClient, Client):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "Client", "AsyncClient", "validate", "encode", "allocate_discount", "capture", "read_stored", "decorate_url", "clear_click_id",
    "ImpactError", "ValidationError", "ConfigError", "AuthError", "ApiError", "RateLimitedError", "TransportError",
    "TimeoutError", "UnconfirmedError", "InternalError", "ApiFieldError",
    "Issue", "ValidationResult", "Receipt", "SubmissionStatus", "DiscountShare", "CaptureOutcome",
]
