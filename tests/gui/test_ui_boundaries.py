"""The UI never speaks AMI and never does file I/O: it only uses ui.ports.OperatorServices."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parents[2] / "ui"
FORBIDDEN_MODULES = ("panoramisk", "tinydb", "socket", "asyncio", "callcore.ami", "callcore.store",
                     "callcore.settings", "shutil", "sqlite3", "json")
FORBIDDEN_CALLS = ("open", "read_text", "write_text", "read_bytes", "write_bytes", "mkdir",
                   "unlink", "rename", "replace", "rmdir", "touch")


def _ui_files():
    return sorted(UI.rglob("*.py"))


@pytest.mark.no_display
@pytest.mark.parametrize("path", _ui_files(), ids=lambda p: p.name)
def test_ui_module_has_no_ami_or_file_io(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
        for name in names:
            assert not any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES), \
                f"{path.name} imports {name}"
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called == "replace" and isinstance(func, ast.Attribute):
                continue  # str.replace is fine; Path.replace would need a Path, which ui never builds
            assert called not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {called}()"
        if isinstance(node, ast.Name) and node.id == "Path":
            pytest.fail(f"{path.name}:{node.lineno} uses Path")


@pytest.mark.no_display
def test_every_ui_string_goes_through_translation():
    """Labels and titles given as bare string literals would escape translation."""
    offenders = []
    for path in _ui_files():
        if path.name == "selftest.py":
            continue  # shows fixed sample names on purpose (a font check), not UI text
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg in ("text", "title") and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str) and keyword.value.value.strip(" …"):
                    offenders.append(f"{path.name}:{node.lineno} {keyword.value.value!r}")
    assert offenders == []
