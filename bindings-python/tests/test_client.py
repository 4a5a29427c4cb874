"""The Python clients against the emulator process."""
from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, List

import pytest

import impact_conversions as ic
from conftest import SID, TOKEN, Sandbox, fast, order


def client(sandbox: Sandbox, **options: Any) -> ic.Client:
    return ic.Client(SID, TOKEN, **fast(sandbox, **options))


def test_submit_with_python_types(sandbox: Sandbox) -> None:
    receipt = client(sandbox).submit(
        campaign_id=1000, event_type_id=9876, event_date=datetime(2024, 8, 1, 23, 55, 24, tzinfo=timezone.utc),
        order_id="O-py", click_id="abc", currency_code="USD", amount=Decimal("19.90"),
        items=[{"sku": "A", "quantity": 1, "price": 19.9}],
    )
    assert isinstance(receipt, ic.Receipt) and receipt.status == "QUEUED" and receipt.attempts == 1
    assert sandbox.orders() == {"O-py": 1}
    body = sandbox.requests()[0]["body"]
    assert "Amount=19.90" in body and "ItemPrice1=19.90" in body and "EventDate=2024-08-01T23%3A55%3A24%2B00%3A00" in body
    agent = dict(sandbox.requests()[0]["headers"])["user-agent"]
    assert agent.startswith("impact-conversions/") and "(python; rust)" in agent


def test_float_trap_and_naive_datetime_are_validation_errors(sandbox: Sandbox) -> None:
    c = client(sandbox)
    with pytest.raises(ic.ValidationError) as err:
        c.submit(order("O-bad"), amount=0.1 + 0.2)
    assert [i.code for i in err.value.issues] == ["too_many_decimals"]
    with pytest.raises(ic.ValidationError) as err:
        c.submit({**order("O-naive"), "event_date": datetime(2024, 8, 1)})
    assert err.value.issues[0].path == "event_date"
    assert sandbox.requests() == []


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 503}, {"status": 408}, {"fault": "drop"},
                                   {"fault": "reset_mid_body"}, {"delay_ms": 1500, "status": 200}])
def test_retryable_faults_are_delivered_once(sandbox: Sandbox, fault: Any) -> None:
    sandbox.script(fault, fault)
    receipt = client(sandbox).submit(order("O-fault"))
    assert receipt.attempts == 3
    assert sandbox.orders() == {"O-fault": 1}
    bodies = {r["body"] for r in sandbox.requests()}
    assert len(bodies) == 1


@pytest.mark.parametrize("status,cls", [(400, ic.ApiError), (401, ic.AuthError), (403, ic.AuthError),
                                        (404, ic.ApiError), (422, ic.ApiError)])
def test_non_retryable_fail_fast(sandbox: Sandbox, status: int, cls: type) -> None:
    sandbox.script({"status": status})
    with pytest.raises(cls) as err:
        client(sandbox).submit(order("O-fatal"))
    assert err.value.status == status and err.value.attempts == 1 and not err.value.retryable
    assert len(sandbox.requests()) == 1


def test_transport_error_after_retries(sandbox: Sandbox) -> None:
    sandbox.script(*[{"status": 503}] * 3)
    with pytest.raises(ic.TransportError) as err:
        client(sandbox, max_attempts=3).submit(order("O-x"))
    assert err.value.attempts == 3 and err.value.retryable


def test_rate_limit_waits_for_reset_and_fails_fast_past_deadline(sandbox: Sandbox) -> None:
    sandbox.script({"status": 429, "rate_limit_reset": {"delta": 1}})
    started = time.monotonic()
    assert client(sandbox, max_attempts=1).submit(order("O-429")).attempts == 2
    assert time.monotonic() - started >= 1.0
    sandbox.script({"status": 429, "rate_limit_reset": {"delta": 600}})
    started = time.monotonic()
    with pytest.raises(ic.RateLimitedError) as err:
        client(sandbox).submit(order("O-429b"))
    assert time.monotonic() - started < 1.0
    assert err.value.reset_at is not None and err.value.reset_at > datetime.now(timezone.utc)


def test_deadline(sandbox: Sandbox) -> None:
    sandbox.script(*[{"status": 503}] * 50)
    started = time.monotonic()
    with pytest.raises(ic.TimeoutError):
        client(sandbox, timeout=0.8, max_attempts=50, base_delay_ms=100, max_delay_ms=200).submit(order("O-dl"))
    assert time.monotonic() - started < 1.5


def test_unconfirmed(sandbox: Sandbox) -> None:
    sandbox.script({"fault": "garbage_2xx"})
    with pytest.raises(ic.UnconfirmedError):
        client(sandbox).submit(order("O-g"))


def test_submit_many_status_and_actions(sandbox: Sandbox) -> None:
    c = client(sandbox)
    batch = [order(f"O-m{i}") for i in range(5)]
    batch[2] = {**batch[2], "click_id": None}
    batch[3] = {**batch[3], "amont": "1.00"}
    results = c.submit_many(batch, concurrency=3)
    assert [type(r).__name__ for r in results] == ["Receipt", "Receipt", "ValidationError", "ValidationError", "Receipt"]
    bad = results[3]
    assert isinstance(bad, ic.ValidationError)
    assert [(i.code, i.path) for i in bad.issues] == [("unknown_field", "amont")] and "amount" in bad.issues[0].message
    assert sorted(sandbox.orders()) == ["O-m0", "O-m1", "O-m4"]
    for wrong in (0, True, 2.5, "4"):
        with pytest.raises(ic.ValidationError, match="concurrency"):
            c.submit_many(batch, concurrency=wrong)  # type: ignore[arg-type]
    odd = c.submit_many(o for o in [{**order("O-m5"), "campaign_id": {1000}}, order("O-m6")])
    assert isinstance(odd[0], ic.ValidationError) and "a Python set was given" in odd[0].issues[0].message
    assert isinstance(odd[1], ic.Receipt)
    first = results[0]
    assert isinstance(first, ic.Receipt)
    status = c.wait_for_submission(first.queued_uri, timeout=5)
    assert status.complete and not status.failed and status.status == "Complete"
    assert c.modify_action(action_id="1000.1.1", reason="ITEM_RETURNED", amount="10.00").status == "QUEUED"
    assert c.reverse_action(action_id="1000.1.1", disposition_code="ITEM_RETURNED").status == "QUEUED"
    with pytest.raises(ic.ValidationError):
        c.reverse_action(action_id="1000.1.1", disposition_code="NOPE")


def test_asyncio_100_concurrent(sandbox: Sandbox) -> None:
    async def main() -> List[ic.Receipt]:
        c = ic.AsyncClient(SID, TOKEN, **fast(sandbox))
        return await asyncio.gather(*(c.submit(order(f"O-a{i}")) for i in range(100)))

    receipts = asyncio.run(main())
    assert len({r.submission_id for r in receipts}) == 100
    assert len(sandbox.orders()) == 100


def test_async_errors_are_exceptions(sandbox: Sandbox) -> None:
    async def main() -> None:
        sandbox.script({"status": 401})
        with pytest.raises(ic.AuthError):
            await ic.AsyncClient(SID, TOKEN, **fast(sandbox)).submit(order("O-a401"))

    asyncio.run(main())


def test_threads_run_in_parallel_because_the_gil_is_released(sandbox: Sandbox) -> None:
    """Each submit waits 200 ms on the emulator: 16 threads must overlap those waits."""
    c = client(sandbox)
    n = 16

    def one(i: int) -> None:
        sandbox.script({"delay_ms": 200, "status": 503, "path_contains": "/Conversions"})
        c.submit(order(f"O-t{i}"))

    started = time.monotonic()
    for i in range(4):
        one(1000 + i)
    sequential = (time.monotonic() - started) / 4 * n
    started = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    parallel = time.monotonic() - started
    assert parallel < sequential / 3, (parallel, sequential)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_fork_parent_and_child_both_submit(sandbox: Sandbox) -> None:
    c = client(sandbox)
    c.submit(order("O-before-fork"))
    pid = os.fork()
    if pid == 0:
        try:
            c.submit(order("O-child"))
            os._exit(0)
        except BaseException:
            os._exit(1)
    c.submit(order("O-parent"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        pytest.fail("the child hung")
    assert os.waitstatus_to_exitcode(status) == 0
    assert sandbox.orders() == {"O-before-fork": 1, "O-child": 1, "O-parent": 1}


def test_logging_and_no_secret_anywhere(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="impact_conversions")
    c = client(sandbox, max_attempts=2)
    seen = repr(c)
    sandbox.script({"status": 503}, {"status": 401})
    try:
        c.submit(order("O-log"))
    except ic.ImpactError as e:
        seen += repr(e) + str(e) + repr(e.__dict__)
    try:
        ic.Client(SID, "")
    except ic.ConfigError as e:
        seen += str(e)
    kinds = [getattr(r, "impact_event", {}).get("kind") for r in caplog.records]
    assert "retry" in kinds and "give_up" in kinds and "attempt" in kinds
    seen += "".join(r.getMessage() + repr(getattr(r, "impact_event", "")) for r in caplog.records)
    assert TOKEN not in seen
    assert "IRSANDBOX" in repr(c)


def test_config_errors_name_the_field() -> None:
    with pytest.raises(ic.ConfigError, match="account_sid"):
        ic.Client("nope", "token")
    with pytest.raises(ic.ConfigError, match="https"):
        ic.Client("IRabc", "token", base_url="http://api.impact.com")
    with pytest.raises(ic.ConfigError, match="max_atempts"):
        ic.Client("IRabc", "token", max_atempts=3)
    for bad in ("30", -1, float("nan"), float("inf"), True):
        with pytest.raises(ic.ConfigError, match="timeout must be a positive number of seconds"):
            ic.Client("IRabc", "token", timeout=bad)
    assert ic.Client("IRabc", "token", timeout=timedelta(seconds=2.5), attempt_timeout=Decimal("0.5"))


def test_log_levels_filter_events_before_they_reach_python(sandbox: Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="impact_conversions")
    c = client(sandbox, max_attempts=2)
    sandbox.script({"status": 503}, {"status": 503})
    with pytest.raises(ic.TransportError):
        c.submit(order("O-warn"))
    records = [r for r in caplog.records if r.name == "impact_conversions"]
    assert [getattr(r, "impact_event")["kind"] for r in records] == ["give_up"]
    assert records[0].levelno == logging.WARNING and "gave up after 2 attempts" in records[0].getMessage()
    caplog.set_level(logging.INFO, logger="impact_conversions")
    c.submit(order("O-info"))
    assert [getattr(r, "impact_event")["kind"] for r in caplog.records if r.name == "impact_conversions"][1:] == ["success"]


def test_rate_limit_without_reset_header_uses_the_fallback(sandbox: Sandbox) -> None:
    sandbox.script({"status": 429, "rate_limit_reset": "missing"})
    started = time.monotonic()
    receipt = client(sandbox, rate_limit_fallback_ms=1000).submit(order("O-429-missing"))
    assert receipt.status == "QUEUED" and time.monotonic() - started >= 0.95
    assert sandbox.orders() == {"O-429-missing": 1}


def test_spent_hourly_budget_is_rate_limited_until_the_reset(sandbox: Sandbox) -> None:
    sandbox.control("POST", "config", {"hourly_budget": 2})
    c = client(sandbox)
    c.submit(order("O-b1"))
    c.submit(order("O-b2"))
    started = time.monotonic()
    with pytest.raises(ic.RateLimitedError) as err:
        c.submit(order("O-b3"))
    assert time.monotonic() - started < 1.0 and err.value.retryable
    assert err.value.reset_at is not None and err.value.reset_at > datetime.now(timezone.utc) + timedelta(minutes=1)
    assert "O-b3" not in sandbox.orders()


def test_ctrl_c_interrupts_a_waiting_call(sandbox: Sandbox) -> None:
    import signal
    import subprocess
    import sys

    sandbox.script({"delay_ms": 8000, "status": 200})
    code = f"""
import sys, time
sys.path.insert(0, {os.path.dirname(__file__)!r})
import impact_conversions as ic
from conftest import order
client = ic.Client({SID!r}, {TOKEN!r}, base_url={sandbox.url!r}, attempt_timeout=20, timeout=20)
print("ready", flush=True)
started = time.monotonic()
try:
    client.submit(order("O-sigint"))
except KeyboardInterrupt:
    print("interrupted", round(time.monotonic() - started, 2), flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    assert out.startswith("interrupted"), out
    assert float(out.split()[1]) < 2.0
