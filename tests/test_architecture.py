"""Layering rules (DESIGN.md): callcore/ has no UI; ui/ has no AMI, store or file I/O."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def calls_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def py_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", py_files("callcore"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_the_ui(path):
    bad = {m for m in imports_of(path) if m.split(".")[0] in ("tkinter", "ttkbootstrap", "ui")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", py_files("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_never_speaks_ami_or_touches_files(path):
    forbidden = ("panoramisk", "tinydb", "callcore.ami", "callcore.store", "shutil", "socket", "asyncio")
    bad = {m for m in imports_of(path) if m.startswith(forbidden)}
    assert not bad, f"{path} imports {bad}"
    assert "open" not in calls_of(path), f"{path} opens files"
