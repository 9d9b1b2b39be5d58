"""Small deliveries that honour the landing contract, for tests of extraction and its failures."""

from __future__ import annotations

import csv
from pathlib import Path

from orchestration.delivery_rules import table_rules
from orchestration.landing_contract import Column, Table
from orchestration.periods import Period


def sample_value(column: Column, index: int, quarter: Period) -> str:
    if column.allowed:
        return column.allowed[index % len(column.allowed)]
    return {
        "string": f"{column.name}_{index:05d}",
        "integer": str(index),
        "money": f"{index * 100 + 12}.34",
        "rate": "0.250000",
        "date": quarter.start.isoformat(),
        "timestamp": f"{quarter.start.isoformat()} 08:{index % 60:02d}:00",
        "boolean": "true",
    }[column.type]


def sample_rows(table: Table, quarter: Period, rows: int = 5) -> list[dict[str, str]]:
    """Rows that pass every contract rule: amounts of the types a ``sign`` rule wants negative are negated."""
    sampled = [{c.name: sample_value(c, i, quarter) for c in table.columns} for i in range(rows)]
    for rule in table_rules(table):
        if rule["kind"] == "sign":
            for row in sampled:
                if row[rule["by"]] in rule["non_positive"]:
                    row[rule["column"]] = f"-{row[rule['column']]}"
    return sampled


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str], encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path
