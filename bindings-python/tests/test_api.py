"""The pure functions and the package's Python manners: value translation, exceptions, import."""
from __future__ import annotations

import pickle
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict

import pytest

import impact_conversions as ic


def base(**fields: Any) -> Dict[str, Any]:
    order: Dict[str, Any] = {"campaign_id": 1000, "event_type_id": 9876, "event_date": "2024-08-01T23:55:24-08:00",
                             "order_id": "O1", "click_id": "abc", "currency_code": "USD"}
    order.update(fields)
    return order


def test_python_values_are_translated_exactly() -> None:
    when = datetime(2024, 8, 1, 23, 55, 24, tzinfo=timezone(timedelta(hours=-8)))
    body = ic.encode(base(event_date=when, order_id=uuid.UUID(int=5), amount=Decimal("1E+1"), order_discount=2,
                          order_margin=-1.5, gift_purchase=True))
    assert "EventDate=2024-08-01T23%3A55%3A24-08%3A00" in body
    assert "OrderId=00000000-0000-0000-0000-000000000005" in body
    assert "Amount=10.00" in body and "OrderDiscount=2.00" in body and "OrderMargin=-1.50" in body
    assert ic.encode(base(), amount="1.5") == ic.encode(base(amount=Decimal("1.50")))
    assert "GiftPurchase=true" in body


def test_impact_names_and_keyword_arguments_mix() -> None:
    assert ic.encode({"CampaignId": 1000, "EventTypeId": 9876, "EventDate": "2024-08-01T23:55:24-08:00",
                      "OrderId": "O1", "ClickId": "abc", "CurrencyCode": "USD"}) == ic.encode(**base())
    with pytest.raises(TypeError, match="order_id"):
        ic.encode(base(), order_id="O2")


def test_validate_never_raises_and_explains_python_types() -> None:
    result = ic.validate(base(text1=object(), amount=0.1 + 0.2, event_date=datetime(2024, 8, 1)))
    assert not result.valid and not result
    by_path = {i.path: i for i in result.errors}
    assert by_path["text1"].code == "invalid_type" and "Python object" in by_path["text1"].message
    assert by_path["amount"].code == "too_many_decimals" and by_path["amount"].field == "Amount"
    assert by_path["event_date"].code == "invalid_format" and "offset" in by_path["event_date"].message
    assert ic.validate([1, 2]).errors[0].code == "invalid_type"
    assert ic.validate(base(), items=[{"sku": "A", "quantity": 1, "price": "1.00"}]).valid
    with pytest.raises(ic.ValidationError) as err:
        ic.encode(base(text1=object()))
    assert "Python object" in str(err.value) and err.value.issues[0].field == "Text1"


def test_results_have_readable_reprs() -> None:
    result = ic.validate(base(order_id=""))
    assert repr(result).startswith("ValidationResult(errors=[Issue(code='required', path='order_id', field='OrderId'")
    shares = ic.allocate_discount(base(order_discount="15.00", items=[
        {"sku": "1ABC2345", "quantity": 2, "sub_total": "28.00"}, {"sku": "9ZXY7654", "quantity": 3, "sub_total": "99.00"}]))
    assert [s.share for s in shares] == [Decimal("3.31"), Decimal("11.69")]
    assert "DiscountShare(index=1, sku='1ABC2345'" in repr(shares[0])


def test_exceptions_survive_pickling_for_task_queues() -> None:
    with pytest.raises(ic.ValidationError) as err:
        ic.encode(base(order_id=""))
    back = pickle.loads(pickle.dumps(err.value))
    assert type(back) is ic.ValidationError and back.issues == err.value.issues and str(back) == str(err.value)
    assert isinstance(back, ValueError) and not back.retryable
    assert issubclass(ic.TimeoutError, TimeoutError) and ic.TimeoutError("x").retryable
    assert ic.RateLimitedError.__module__ == "impact_conversions"


def test_import_starts_no_thread_and_logging_is_silent_by_default() -> None:
    code = """
import os, sys
before = len(os.listdir('/proc/self/task'))
import impact_conversions as ic
ic.validate({}); ic.encode({'campaign_id': 1, 'event_type_id': 1, 'order_id': 'x', 'click_id': 'y',
                            'event_date': '2024-08-01T00:00:00Z'})
ic.Client('IRabc', 'secret-token'); ic.AsyncClient('IRabc', 'secret-token')
print(before, len(os.listdir('/proc/self/task')))
try:  # a give-up is logged at WARNING: with no logging configured, nothing reaches stderr
    ic.Client('IRabc', 'secret-token', base_url='http://127.0.0.1:9', max_attempts=1).submission_status('A-1')
except ic.TransportError:
    pass
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = out.stdout.split()
    assert before == after, "a thread was started before the first network call"
    assert out.stderr == ""
