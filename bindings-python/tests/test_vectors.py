"""The shared conformance vectors through the Python API: byte-identical to the Rust core."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

import impact_conversions as ic

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def load(kind: str) -> List[Any]:
    return [pytest.param(json.loads(p.read_text("utf-8")), id=p.stem) for p in sorted((VECTORS / kind).glob("*.json"))]


def issue_set(issues: List[ic.Issue], with_field: bool) -> List[Any]:
    return sorted((i.code, i.path, (i.field or "") if with_field else "") for i in issues)


@pytest.mark.parametrize("vector", load("conversions"))
def test_conversion_vector(vector: Dict[str, Any]) -> None:
    data, expect = vector["input"], vector["expect"]
    result = ic.validate(data) if isinstance(data, dict) else None
    if "body" in expect:
        assert result is not None and result.valid, result
        assert ic.encode(data) == expect["body"]
        assert issue_set(result.warnings, False) == sorted((w["code"], w["path"], "") for w in expect.get("warnings", []))
        if "discount" in expect:
            assert [str(s.share) for s in ic.allocate_discount(data)] == expect["discount"]
    else:
        want = sorted((e["code"], e["path"], e.get("field", "")) for e in expect["errors"])
        if result is None:  # not a mapping: the core reads it as JSON and refuses the shape
            with pytest.raises(ic.ValidationError) as err:
                ic.encode(data)  # type: ignore[arg-type]
            assert issue_set(err.value.issues, True) == want
            return
        assert issue_set(result.errors, True) == want
        with pytest.raises(ic.ValidationError):
            ic.encode(data)


def fill(request: Dict[str, Any], fills: Dict[str, Any]) -> Dict[str, Any]:
    out = dict(request)
    for field, spec in fills.items():
        out[field] = spec.get("prefix", "") + spec["repeat"] * spec["times"] + spec.get("suffix", "")
    return out


@pytest.mark.parametrize("vector", load("clickid"))
def test_clickid_vector(vector: Dict[str, Any]) -> None:
    config = vector.get("config", {})
    expected = vector.get("expected")
    if "decorate" in vector:
        d = vector["decorate"]
        assert ic.decorate_url(d["url"], d["click_id"], config, now=d["now"]) == expected["url"]
        return
    if "clear" in vector:
        assert ic.clear_click_id(vector["clear"]["host"], config) == expected["set_cookie"]
        return
    request = fill(vector["request"], vector.get("request_fill", {}))
    if "expected_error" in vector:
        with pytest.raises(ic.ImpactError) as err:
            ic.capture(config, **request)
        assert err.value.code == vector["expected_error"]["code"]
        return
    out = ic.capture(config, **request)
    assert out.click_id == expected["click_id"]
    assert out.source == expected["source"]
    assert out.store == expected["store"]
    assert out.captured_at == expected["captured_at"]
    assert out.set_cookie == expected["set_cookie"]
    assert [w["code"] for w in out.warnings] == [w["code"] for w in expected["warnings"]]
