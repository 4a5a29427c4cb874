"""Small typed results with readable reprs."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Issue:
    """One validation problem: ``code``, ``path`` in your dict (``items[1].quantity``), the
    wire ``field`` (``ItemQuantity2``) and a ``message`` saying how to fix it."""

    code: str
    path: str
    field: Optional[str]
    message: str

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Issue":
        return Issue(d["code"], d["path"], d.get("field"), d["message"])


@dataclass(frozen=True)
class ValidationResult:
    errors: List[Issue]
    warnings: List[Issue]

    @property
    def valid(self) -> bool:
        return not self.errors

    def __bool__(self) -> bool:
        return self.valid


@dataclass(frozen=True)
class Receipt:
    """impact.com queued the conversion (processing happens later)."""

    status: str
    queued_uri: str
    submission_id: str
    attempts: int
    elapsed_ms: int
    warnings: List[Issue] = field(default_factory=list)

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "Receipt":
        return Receipt(d["status"], d["queued_uri"], d["submission_id"], d["attempts"], d["elapsed_ms"],
                       [Issue.from_dict(w) for w in d.get("warnings", [])])


@dataclass(frozen=True)
class SubmissionStatus:
    submission_id: str
    status: str
    complete: bool
    error_type: Optional[str]
    error_reason: Optional[str]
    raw: Dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def failed(self) -> bool:
        """Processed, but impact.com did not record the conversion."""
        return self.error_type is not None or self.error_reason is not None

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "SubmissionStatus":
        return SubmissionStatus(d["submission_id"], d["status"], d["complete"], d.get("error_type"),
                                d.get("error_reason"), d.get("raw") or {})


@dataclass(frozen=True)
class DiscountShare:
    index: int
    sku: Optional[str]
    sub_total: Decimal
    share: Decimal
    net: Decimal


@dataclass(frozen=True)
class CaptureOutcome:
    """What to do with this request: the click id (if any), where it came from, whether it
    is stored, and the exact ``Set-Cookie`` values to add to the response."""

    click_id: Optional[str]
    source: Optional[str]
    store: bool
    captured_at: Optional[int]
    set_cookie: List[str]
    warnings: List[Dict[str, str]]

    @staticmethod
    def from_dict(d: Dict[str, Any]) -> "CaptureOutcome":
        return CaptureOutcome(d.get("click_id"), d.get("source"), d["store"], d.get("captured_at"),
                              list(d.get("set_cookie", [])), list(d.get("warnings", [])))
