"""Fixtures of the report tests (tests/reports/helpers.py)."""
from tests.reports.helpers import office  # noqa: F401
