"""Checked with `mypy --strict` by make python-test: the public API types a real checkout."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from decimal import Decimal
from typing import List, Optional, Union

import impact_conversions as ic


def checkout(client: ic.Client, click_id: Optional[str]) -> Optional[ic.Receipt]:
    order = {
        "campaign_id": 1000, "event_type_id": 9876, "order_id": "O-1",
        "event_date": datetime.now(timezone.utc), "click_id": click_id, "currency_code": "USD",
        "items": [{"sku": "A", "quantity": 2, "price": Decimal("14.00")}],
    }
    result: ic.ValidationResult = ic.validate(order)
    if not result.valid:
        for issue in result.errors:
            print(issue.path, issue.field, issue.message)
        return None
    try:
        return client.submit(order)
    except ic.RateLimitedError as e:
        print("retry after", e.reset_at)
    except ic.ImpactError as e:
        print(e.code, e.message, e.retryable)
    return None


async def many(client: ic.AsyncClient) -> List[Union[ic.Receipt, ic.ImpactError]]:
    return await client.submit_many([{"order_id": "O-2"}], concurrency=4)


def landing(host: str, query: str, cookie: Optional[str]) -> List[str]:
    outcome: ic.CaptureOutcome = ic.capture({}, scheme="https", host=host, query=query, cookie=cookie, consent="granted")
    shares: List[ic.DiscountShare] = ic.allocate_discount({"currency_code": "USD"})
    print(shares, ic.decorate_url("https://x.example/", "id"), ic.read_stored(cookie or ""))
    return outcome.set_cookie


if __name__ == "__main__":
    asyncio.run(many(ic.AsyncClient.from_env()))
