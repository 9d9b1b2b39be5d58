"""Footing: every table a package publishes adds up after rounding, by the rounding policy.

Rounding policy: each figure is rounded on its own, half up, from its full-precision value to its published
decimals; a total is the full-precision total rounded once, never the sum of rounded rows. A rounded figure is
within half a unit of its last decimal of the exact one, so the n rounded rows of a total and the rounded total
may differ by a rounding difference (尾差) of at most (n + 1) / 2 units of the last decimal shown. A table foots
when every total it shows is within that of its rows; a larger difference means the rows do not add up.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from orchestration.report.tables import CSV_HEADER, TOTAL_CODE


@dataclass(frozen=True)
class Footing:
    """A total a published table shows and the rows it adds up (sign, code); no parts = every other row."""

    files: str  # file name pattern in the package
    code_column: str
    value_columns: tuple[str, ...]
    total: str
    parts: tuple[tuple[int, str], ...] = ()


CODE, CURRENT, PREVIOUS = CSV_HEADER[0], CSV_HEADER[3], CSV_HEADER[4]
# How the package's tables are laid out: file pattern, code column, value columns (as published).
LAYOUTS = (
    ("table_*.csv", CODE, (CURRENT, PREVIOUS)),
    ("metrics.csv", "metric_code", ("display_value",)),
    ("solvency_summary.csv", "metric_code", ("this_quarter_value", "last_quarter_value")),
)
# Totals made of other published figures, wherever a table shows them.
IDENTITIES = (
    ("net_assets", ((1, "total_assets"), (-1, "total_liabilities"))),
    ("core_solvency_surplus", ((1, "core_capital"), (-1, "minimum_capital"))),
    ("comprehensive_solvency_surplus", ((1, "actual_capital"), (-1, "minimum_capital"))),
)
FOOTINGS = (
    Footing("table_*.csv", CODE, (CURRENT, PREVIOUS), TOTAL_CODE),
    *(Footing(files, code, columns, total, parts) for files, code, columns in LAYOUTS for total, parts in IDENTITIES),
)


def _number(text: str | None) -> Decimal | None:
    if text is None or text.strip() == "":
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _check(name: str, rows: list[dict[str, str]], footing: Footing) -> list[str]:
    by_code = {row.get(footing.code_column): row for row in rows}
    if footing.total not in by_code:
        return []
    parts = footing.parts or tuple((1, code) for code in by_code if code != footing.total)
    missing = [code for _, code in parts if code not in by_code]
    if missing:
        return [f"{name}: {footing.total} shown without its rows {', '.join(missing)}"]
    problems = []
    for column in footing.value_columns:
        total = _number(by_code[footing.total].get(column))
        values = [(sign, _number(by_code[code].get(column))) for sign, code in parts]
        if total is None or any(value is None for _, value in values):
            continue
        computed = sum((sign * value for sign, value in values), Decimal(0))
        decimals = max(_decimals(v) for v in [total, *(value for _, value in values)])
        allowed = math.floor((len(parts) + 1) / 2) * Decimal(1).scaleb(-decimals)
        difference = total - computed
        if abs(difference) > allowed:
            problems.append(
                f"{name} {column}: {footing.total} shows {total} but its {len(parts)} rows add up to {computed} "
                f"(off by {difference}; rounding allows {allowed})"
            )
    return problems


def footing_problems(files: dict[str, bytes]) -> list[str]:
    """Every total of every CSV table in a package that its rows do not add up to (empty when all foot)."""
    problems = []
    for name, data in sorted(files.items()):
        rules = [f for f in FOOTINGS if fnmatch.fnmatch(name, f.files)]
        if not rules:
            continue
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        for footing in rules:
            problems.extend(_check(name, rows, footing))
    return problems
