"""Python values -> the core's JSON shape. Only translation: every rule lives in the core."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional

Conversion = Mapping[str, Any]

# A value of a type with no JSON form is sent as this object: the core then reports
# `invalid_type` at the right path and field, and the message gets the Python type added.
_UNSUPPORTED = "unsupported_python_value"


def _convert(value: Any, notes: Optional[List[str]]) -> Any:
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)  # the core refuses it with a message naming the field
        return format(value, "f")
    if isinstance(value, datetime):
        # A naive datetime becomes text without an offset, which the core refuses
        # (invalid_format, "add an offset") instead of guessing a time zone.
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    uuid = sys.modules.get("uuid")  # a UUID exists only once its module is imported
    if uuid is not None and isinstance(value, uuid.UUID):
        return str(value)
    name = type(value).__name__
    if notes is None:
        raise TypeError(f"{name} is not a conversion value: use str, int, Decimal, bool or an aware datetime")
    notes.append(name)
    return {_UNSUPPORTED: name}


def to_json(value: Any, notes: Optional[List[str]] = None) -> str:
    """JSON text of a conversion (or any argument). Floats keep their shortest repr, which is
    how the core reads them; ``Decimal`` keeps every digit. With ``notes``, a value of an
    unsupported type is recorded there (its type name) instead of raising ``TypeError``."""
    return json.dumps(value, default=lambda v: _convert(v, notes), allow_nan=False, ensure_ascii=False)


def hint(notes: Optional[List[str]]) -> str:
    """What to add to an ``invalid_type`` message when unsupported Python values were sent."""
    if not notes:
        return ""
    names = sorted(set(notes))
    if len(names) == 1:
        return f" (a Python {names[0]} was given: pass str, int, Decimal, bool or an aware datetime)"
    return f" (Python values of types {', '.join(names)} were given: pass str, int, Decimal, bool or an aware datetime)"


def explain(issues: List[Dict[str, Any]], notes: Optional[List[str]]) -> List[Dict[str, Any]]:
    """Adds the Python type names behind ``invalid_type`` issues to their messages."""
    suffix = hint(notes)
    if not suffix:
        return issues
    return [{**i, "message": i["message"] + suffix} if i.get("code") == "invalid_type" else i for i in issues]


def merge(conversion: Optional[Conversion], fields: Mapping[str, Any]) -> Any:
    """A dict and/or keyword arguments; the same key in both is ambiguous."""
    if conversion is None:
        return dict(fields)
    if not fields:
        return conversion
    if not isinstance(conversion, Mapping):
        return conversion  # the core refuses it: a conversion is an object
    both = set(conversion) & set(fields)
    if both:
        raise TypeError(f"{sorted(both)} given both in the dict and as keyword arguments")
    return {**conversion, **fields}
