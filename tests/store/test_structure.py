"""How the store package is put together: no import cycles between its modules, and
diagnostics go to logging (the app's log file), not to print()."""
from __future__ import annotations

import ast
import logging
from pathlib import Path

from .conftest import make_contact

STORE = Path(__file__).resolve().parents[2] / "callcore" / "store"


def local_imports(path: Path) -> set[str]:
    """Sibling modules a store module imports, TYPE_CHECKING blocks and function bodies included."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
    return out


def test_store_modules_import_each_other_without_cycles():
    graph = {p.stem: local_imports(p) for p in STORE.glob("*.py")}
    state: dict[str, str] = {}

    def visit(mod: str, trail: list[str]) -> None:
        if state.get(mod) == "done":
            return
        assert state.get(mod) != "open", "import cycle: " + " → ".join(trail + [mod])
        state[mod] = "open"
        for dep in sorted(graph.get(mod, ())):
            if dep in graph:
                visit(dep, trail + [mod])
        state[mod] = "done"

    for mod in sorted(graph):
        visit(mod, [])


def test_no_print_in_the_store_package():
    for path in STORE.glob("*.py"):
        calls = {n.func.id for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert "print" not in calls, path


def test_a_problem_is_logged_and_listed_not_printed(open_store, tmp_path, capsys, caplog):
    a = open_store("alpha")
    a.contacts.put(make_contact("x"))
    a.checkpoint()
    a.close()
    table = tmp_path / "local-alpha" / "tables" / "contacts.json"
    table.write_bytes(b"{not json")
    with caplog.at_level(logging.WARNING, logger="callcore.store"):
        again = open_store("alpha")
    assert any("contacts.json" in str(p) for p in again.problems)
    assert any("contacts.json" in r.getMessage() and r.name.startswith("callcore.store") for r in caplog.records)
    out, err = capsys.readouterr()
    assert "contacts.json" not in out + err
