"""Python benchmark, one run against one emulator process (`make bench-python`):

- conversions/s: this package (sync loop, submit_many x32, AsyncClient x32) next to a
  hand-written requests.Session loop and an httpx.AsyncClient x32 doing the same encoding;
- validate+encode per conversion: this package next to a pure-Python encoder with the same
  main checks;
- wheel size (IMPACT_WHEEL, set by `make bench-python`) and import time.
"""
from __future__ import annotations

import asyncio
import glob
import os
import re
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Tuple
from urllib.parse import urlencode

import httpx
import requests

ROOT = Path(__file__).resolve().parents[2]
SID, TOKEN = "IRSANDBOX00000000000000000000001", "sandbox-auth-token"
N = int(os.environ.get("N", "2000"))


def order(i: int) -> Dict[str, Any]:
    return {"campaign_id": 1000, "event_type_id": 9876, "event_date": "2024-08-01T23:55:24-08:00",
            "order_id": f"B{i}", "click_id": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", "currency_code": "USD",
            "order_discount": "15.00",
            "items": [{"sku": "1ABC2345", "quantity": 2, "sub_total": "28.00"},
                      {"sku": "9ZXY7654", "quantity": 3, "sub_total": "99.00"}]}


DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
MINOR = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}


def hand_encode(o: Dict[str, Any]) -> str:
    """What a careful integrator writes by hand: the main rules, then urlencode."""
    for k in ("campaign_id", "event_date", "order_id"):
        if not o.get(k):
            raise ValueError(f"{k} required")
    if not DATE.match(o["event_date"]):
        raise ValueError("event_date needs an offset")
    if "event_type_id" not in o and "event_type_code" not in o:
        raise ValueError("event type required")
    if not o.get("click_id") and not o.get("customer_id"):
        raise ValueError("attribution key required")
    minor = MINOR[o["currency_code"]]

    def money(v: Any) -> str:
        d = Decimal(str(v))
        if -d.as_tuple().exponent > minor and d != d.quantize(Decimal(1).scaleb(-minor)):
            raise ValueError("too many decimals")
        if d < 0:
            raise ValueError("negative")
        return f"{d:.{minor}f}"

    pairs: List[Tuple[str, str]] = [("CampaignId", str(o["campaign_id"])), ("EventDate", o["event_date"]),
                                    ("OrderId", o["order_id"]), ("EventTypeId", str(o["event_type_id"])),
                                    ("ClickId", o["click_id"]), ("CurrencyCode", o["currency_code"]),
                                    ("OrderDiscount", money(o["order_discount"]))]
    for i, it in enumerate(o["items"], 1):
        if "price" in it and "sub_total" in it:
            raise ValueError("price xor sub_total")
        q = int(it["quantity"])
        if q < 1:
            raise ValueError("quantity")
        pairs += [(f"ItemSku{i}", it["sku"]), (f"ItemQuantity{i}", str(q)), (f"ItemSubTotal{i}", money(it["sub_total"]))]
    for k, v in pairs:
        if any(ord(c) < 32 for c in v):
            raise ValueError(f"{k} control character")
    return urlencode(pairs)


def rate(label: str, count: int, secs: float) -> float:
    r = count / secs
    print(f"{label:<44} {r:>9.0f} conversions/s")
    return r


def main() -> None:
    import impact_conversions as ic

    assert hand_encode(order(1)) == ic.encode(order(1)), "the two encoders must agree"
    binary = ROOT / "target" / "debug" / "impact-sandbox"
    if (ROOT / "target" / "release" / "impact-sandbox").exists():
        binary = ROOT / "target" / "release" / "impact-sandbox"
    proc = subprocess.Popen([str(binary), "--port", "0", "--hourly-budget", "100000000"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip().split("=", 1)[1]
    endpoint = f"{url}/Advertisers/{SID}/Conversions"
    try:
        client = ic.Client(SID, TOKEN, base_url=url)
        t = time.perf_counter()
        for i in range(N):
            client.submit(order(i))
        sync = rate("impact_conversions Client, sequential", N, time.perf_counter() - t)

        t = time.perf_counter()
        client.submit_many([order(N + i) for i in range(N)], concurrency=32)
        many = rate("impact_conversions submit_many, 32 concurrent", N, time.perf_counter() - t)

        async def package_async() -> None:
            c = ic.AsyncClient(SID, TOKEN, base_url=url)
            sem = asyncio.Semaphore(32)

            async def one(i: int) -> None:
                async with sem:
                    await c.submit(order(i))
            await asyncio.gather(*(one(2 * N + i) for i in range(N)))

        t = time.perf_counter()
        asyncio.run(package_async())
        aio = rate("impact_conversions AsyncClient, 32 concurrent", N, time.perf_counter() - t)

        session = requests.Session()
        session.auth = (SID, TOKEN)
        t = time.perf_counter()
        for i in range(N):
            r = session.post(endpoint, data=hand_encode(order(3 * N + i)),
                             headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
            assert r.status_code == 200 and r.json()["Status"] == "QUEUED"
        hand_sync = rate("hand-written requests.Session, sequential", N, time.perf_counter() - t)

        async def httpx_async() -> None:
            async with httpx.AsyncClient(auth=(SID, TOKEN)) as h:
                sem = asyncio.Semaphore(32)

                async def one(i: int) -> None:
                    async with sem:
                        r = await h.post(endpoint, content=hand_encode(order(i)),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
                        assert r.status_code == 200
                await asyncio.gather(*(one(4 * N + i) for i in range(N)))

        t = time.perf_counter()
        asyncio.run(httpx_async())
        hand_async = rate("hand-written httpx.AsyncClient, 32 concurrent", N, time.perf_counter() - t)
    finally:
        proc.terminate()

    reps = 20000
    sample = order(7)
    t = time.perf_counter()
    for _ in range(reps):
        ic.encode(sample)
    ours = (time.perf_counter() - t) / reps * 1e6
    t = time.perf_counter()
    for _ in range(reps):
        hand_encode(sample)
    theirs = (time.perf_counter() - t) / reps * 1e6
    print(f"validate+encode: package {ours:.1f} us, pure Python {theirs:.1f} us (ratio {theirs / ours:.2f}x)")
    print(f"ratios: sync {sync / hand_sync:.2f}x requests; AsyncClient {aio / hand_async:.2f}x httpx; "
          f"submit_many {many / hand_async:.2f}x httpx")

    wheel = os.environ.get("IMPACT_WHEEL", "")
    if wheel and os.path.exists(wheel):
        print(f"wheel: {os.path.basename(wheel)} {os.path.getsize(wheel) / 1e6:.1f} MB")
    native = glob.glob(str(Path(ic.__file__).parent / "_native*.so"))
    if native:
        print(f"native module installed: {os.path.getsize(native[0]) / 1e6:.1f} MB")
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import impact_conversions"],
                             capture_output=True, text=True, check=True)
        rows = [line for line in out.stderr.splitlines() if line.rstrip().endswith("| impact_conversions")]
        if rows:
            runs.append(int(rows[-1].split("|")[1]))
    print(f"import impact_conversions: {min(runs) / 1000:.1f} ms (best of 5, cumulative)" if runs else "import time: n/a")

if __name__ == "__main__":
    main()
