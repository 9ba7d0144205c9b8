"""The operator app: one executable, several modes.

    operator_app.py [--settings PATH]                 the operator window
    operator_app.py --demo                            window + built-in demo PBX
    operator_app.py [--settings PATH] --recorder      headless: log every call of the PBX
    operator_app.py --settings PATH contacts|calls|store ...   admin command line
    operator_app.py --self-test                       check a (frozen) build and exit

Services are created and wired here (and in app/wiring modules it calls), and only here.
"""
from __future__ import annotations

import sys

CLI_COMMANDS = {"contacts", "calls", "store"}


def _self_test() -> int:
    from callcore.selftest import run_checks
    extra = []
    try:
        from ui.selftest import check_window
        extra.append(check_window)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check below
        print(f"FAIL window: {exc!r}")
        return 1
    results = run_checks(extra)
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name} {r.detail}".rstrip())
    return 0 if all(r.ok for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    if "--self-test" in args:
        return _self_test()
    if CLI_COMMANDS & set(args):
        from callcore.cli import main as cli_main
        return cli_main(args)
    from app_wiring import run
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
