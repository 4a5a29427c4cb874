"""`_native.pyi` must describe the compiled module exactly: same names, same parameters."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, List

from impact_conversions import _native

STUB = Path(__file__).resolve().parents[1] / "python" / "impact_conversions" / "_native.pyi"


def stub_signatures() -> Dict[str, List[str]]:
    tree = ast.parse(STUB.read_text("utf-8"))
    out: Dict[str, List[str]] = {}

    def params(fn: ast.FunctionDef) -> List[str]:
        names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
        return [n for n in names if n not in ("self", "cls")]

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = params(node)
        elif isinstance(node, ast.ClassDef):
            out[node.name] = []
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    key = node.name if item.name == "__new__" else f"{node.name}.{item.name}"
                    out[key] = params(item)
    return out


def native_signatures() -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for name, obj in vars(_native).items():
        if name.startswith("__"):
            continue
        if inspect.isclass(obj):
            if issubclass(obj, BaseException):
                out[name] = []
                continue
            out[name] = list(inspect.signature(obj).parameters)
            for attr, member in vars(obj).items():
                if not attr.startswith("__") and callable(member):
                    out[f"{name}.{attr}"] = [p for p in inspect.signature(member).parameters if p != "self"]
        elif callable(obj):
            out[name] = list(inspect.signature(obj).parameters)
    return out


def test_stubs_match_the_native_module() -> None:
    stubs, native = stub_signatures(), native_signatures()
    assert sorted(stubs) == sorted(native), "names differ: regenerate bindings-python/python/impact_conversions/_native.pyi"
    for name, params in native.items():
        assert stubs[name] == params, f"{name}: stub {stubs[name]} vs native {params}"
