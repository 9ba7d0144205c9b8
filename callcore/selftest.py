"""Self-test of an installed or frozen build, without a PBX or a window (the window check
lives in ui.selftest): every module imports, the assets are there, the store round-trips."""
from __future__ import annotations

import importlib
import pkgutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .i18n import _

REQUIRED_ASSETS = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
THIRD_PARTY = ("panoramisk", "tinydb", "ttkbootstrap", "openpyxl", "fpdf", "plyer", "platformdirs")


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str = ""


def assets_folder() -> Path:
    from .settings import program_folder
    import sys
    base = Path(getattr(sys, "_MEIPASS", program_folder()))
    return base / "assets"


def check_imports(packages=("callcore", "ui", "reports")) -> CheckResult:
    failed = []
    for name in THIRD_PARTY:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - report every kind of import failure
            failed.append(f"{name}: {exc}")
    for pkg_name in packages:
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=pkg_name + "."):
            try:
                importlib.import_module(info.name)
            except Exception as exc:  # noqa: BLE001
                failed.append(f"{info.name}: {exc}")
    try:
        from plyer.utils import platform
        importlib.import_module(f"plyer.platforms.{platform}.notification")
    except Exception as exc:  # noqa: BLE001
        failed.append(f"plyer notification backend: {exc}")
    return CheckResult(_("imports"), not failed, "; ".join(failed))


def check_assets() -> CheckResult:
    folder = assets_folder()
    missing = [a for a in REQUIRED_ASSETS if not (folder / a).is_file()]
    return CheckResult(_("assets"), not missing, ", ".join(missing) or str(folder))


def check_store() -> CheckResult:
    from .app import AppMode, build_app
    from .records import Contact, Phone
    from .settings import settings_from_dict
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "shared").mkdir()
        settings = settings_from_dict({"station": {"id": "self-test"}, "store": {
            "local_folder": str(Path(tmp) / "local"), "shared_folder": str(Path(tmp) / "shared")}})
        app = build_app(settings, AppMode.SELFTEST)
        store = app.store
        try:
            contact = store.contacts.put(Contact(name="Μανουσάκης Δοκιμή", phones=[Phone("2101234567")]))
            store.sync_now()
            back = store.contacts.get(contact.id)
        finally:
            app.close()
    ok = back is not None and back.name == "Μανουσάκης Δοκιμή"
    return CheckResult(_("store"), ok, "" if ok else _("contact did not round-trip"))


def check_translations() -> CheckResult:
    """Every shipped catalog loads (the build compiled and bundled the .mo files)."""
    from .i18n import LANGUAGES, SOURCE_LANGUAGE, locale_folder, read_catalog
    problems = []
    for language in LANGUAGES:
        if language.code == SOURCE_LANGUAGE:
            continue
        catalog = read_catalog(language.code)
        if catalog is None or not catalog.messages:
            problems.append(language.code)
    return CheckResult(_("translations"), not problems,
                       ", ".join(problems) or str(locale_folder()))


def run_checks(extra: list[Callable[[], CheckResult]] = ()) -> list[CheckResult]:
    results = []
    for check in (check_imports, check_assets, check_store, check_translations, *extra):
        try:
            results.append(check())
        except Exception as exc:  # noqa: BLE001 - a crashing check is a failed check
            results.append(CheckResult(getattr(check, "__name__", "check"), False, repr(exc)))
    return results
