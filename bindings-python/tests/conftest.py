"""Shared fixtures: the emulator as a process, and helpers for its control API."""
from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]
SID = "IRSANDBOX00000000000000000000001"
TOKEN = "sandbox-auth-token"


class Sandbox:
    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}/_sandbox/{path}", data=data, method=method)
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")

    def script(self, *responses: Dict[str, Any]) -> None:
        self.control("POST", "script", {"responses": list(responses)})

    def requests(self) -> List[Dict[str, Any]]:
        return list(self.control("GET", "requests"))

    def orders(self) -> Dict[str, int]:
        return dict(self.control("GET", "orders"))

    def reset(self) -> None:
        self.control("POST", "reset")


@pytest.fixture(scope="session")
def sandbox_process() -> Iterator[Sandbox]:
    binary = Path(os.environ.get("IMPACT_SANDBOX_BIN", ROOT / "target" / "debug" / "impact-sandbox"))
    proc = subprocess.Popen([str(binary), "--port", "0", "--processing-delay-ms", "200"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("IMPACT_SANDBOX_URL="), line
    try:
        yield Sandbox(line.split("=", 1)[1])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture()
def sandbox(sandbox_process: Sandbox) -> Sandbox:
    sandbox_process.reset()
    sandbox_process.control("POST", "config", {"hourly_budget": 100000})
    return sandbox_process


def order(order_id: str) -> Dict[str, Any]:
    return {
        "campaign_id": 1000, "event_type_id": 9876, "event_date": "2024-08-01T23:55:24-08:00",
        "order_id": order_id, "click_id": "QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0", "currency_code": "USD",
        "items": [{"sku": "1ABC2345", "quantity": 2, "sub_total": "28.00"}],
    }


def fast(sandbox: Sandbox, **options: Any) -> Dict[str, Any]:
    """Client options for tests: the emulator, short delays."""
    base = {"base_url": sandbox.url, "base_delay_ms": 10, "max_delay_ms": 50, "timeout": 5, "attempt_timeout": 1}
    base.update(options)
    return base
