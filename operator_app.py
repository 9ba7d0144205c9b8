"""The operator app: one executable, several modes.

    operator_app.py [--settings PATH]                 the operator window
    operator_app.py --demo                            window + built-in demo PBX
    operator_app.py --settings PATH --recorder        headless: log every call of the PBX
    operator_app.py --settings PATH contacts|calls|store ...   admin command line
    operator_app.py --self-test                       check a (frozen) build and exit

Services are created and wired here, and only here.
"""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from callcore.cli import main as cli_main
    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
