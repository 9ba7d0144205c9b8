"""Layering rules (DESIGN.md, docs/architecture.md), checked on every file in every
sub-folder, relative imports resolved:

- callcore/ has no UI; ui/ has no AMI, store or file I/O;
- callcore.ami and callcore.store never import each other;
- the domain modules (records, numbers, textfold, directory, events) import neither, nor
  the application layer;
- only the application layer (callcore.app) and the entry points wire features together;
- no import cycles inside callcore.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("callcore.records", "callcore.numbers", "callcore.textfold", "callcore.directory",
          "callcore.events")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, *, top_level: bool = False) -> set[str]:
    """Absolute names of every module ``path`` imports (``from . import x`` resolved).
    ``top_level``: only imports made when the module loads (plus ``if TYPE_CHECKING:``
    ones, which are cycles waiting to happen), not late imports inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    nodes = ast.walk(tree) if not top_level else [
        n for stmt in tree.body
        for n in ([stmt] if not isinstance(stmt, ast.If) else stmt.body)]
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
                names.add(prefix)
                if not node.module:
                    names.update(f"{prefix}.{a.name}" for a in node.names)
            elif node.module:
                names.add(node.module)
    return names


def calls_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def py_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def under(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize("path", py_files("callcore"), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_never_imports_the_ui(path):
    bad = {m for m in imports_of(path) if m.split(".")[0] in ("tkinter", "ttkbootstrap", "ui")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", py_files("ui"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ui_never_speaks_ami_or_touches_files(path):
    forbidden = ("panoramisk", "tinydb", "callcore.ami", "callcore.store", "callcore.app",
                 "shutil", "socket", "asyncio")
    bad = {m for m in imports_of(path) if m.startswith(forbidden)}
    assert not bad, f"{path} imports {bad}"
    assert "open" not in calls_of(path), f"{path} opens files"


@pytest.mark.parametrize("path", py_files("callcore/ami"), ids=lambda p: str(p.relative_to(ROOT)))
def test_ami_never_imports_the_store_or_the_app(path):
    bad = {m for m in imports_of(path) if under(m, "callcore.store", "callcore.app", "tinydb")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("path", py_files("callcore/store"), ids=lambda p: str(p.relative_to(ROOT)))
def test_store_never_imports_ami_or_the_app(path):
    bad = {m for m in imports_of(path) if under(m, "callcore.ami", "callcore.app", "panoramisk")}
    assert not bad, f"{path} imports {bad}"


@pytest.mark.parametrize("name", DOMAIN)
def test_domain_modules_import_no_parts(name):
    path = ROOT / (name.replace(".", "/") + ".py")
    bad = {m for m in imports_of(path)
           if under(m, "callcore.ami", "callcore.store", "callcore.app", "panoramisk", "tinydb")}
    assert not bad, f"{path} imports {bad}"


def test_only_the_application_layer_wires_features():
    """Nothing inside callcore but callcore.app (and the modes it serves: recorder, the
    command line and its callcore/cli_*.py command modules, selftest) imports the
    application layer."""
    allowed = ("callcore.app", "callcore.recorder", "callcore.cli", "callcore.selftest")
    bad = {module_name(p) for p in py_files("callcore")
           if not under(module_name(p), *allowed) and not module_name(p).startswith("callcore.cli_")
           and any(under(m, "callcore.app") for m in imports_of(p))}
    assert not bad, f"these import callcore.app: {bad}"


def test_no_import_cycles_in_callcore():
    """Module-level imports only (imports inside functions are deliberate late bindings)."""
    graph: dict[str, set[str]] = {}
    modules = {module_name(p): p for p in py_files("callcore")}
    for name, path in modules.items():
        graph[name] = {m for m in imports_of(path, top_level=True)
                       if m in modules and m != name and not name.startswith(m + ".")}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = 2
    for node in graph:
        if node not in state:
            visit(node, [node])
    assert not cycles, f"import cycles: {cycles}"
