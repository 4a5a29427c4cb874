"""Python values -> the core's JSON shape. Only translation: every rule lives in the core."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Mapping, Optional

Conversion = Mapping[str, Any]


def _default(value: Any) -> Any:
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
    raise TypeError(f"{type(value).__name__} is not a conversion value: use str, int, Decimal, bool or datetime")


def to_json(value: Any) -> str:
    """JSON text of a conversion (or any argument). Floats keep their shortest repr, which is
    how the core reads them; ``Decimal`` keeps every digit."""
    return json.dumps(value, default=_default, allow_nan=False, ensure_ascii=False)


def merge(conversion: Optional[Conversion], fields: Mapping[str, Any]) -> Mapping[str, Any]:
    """A dict and/or keyword arguments; the same key in both is ambiguous."""
    if conversion is None:
        return dict(fields)
    if not fields:
        return conversion
    both = set(conversion) & set(fields)
    if both:
        raise TypeError(f"{sorted(both)} given both in the dict and as keyword arguments")
    return {**conversion, **fields}
