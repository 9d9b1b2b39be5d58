"""Members' personal data never leaves the landing zone: not in tables, extracts or Dagster metadata."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import dagster as dg
import duckdb

# A digit run not glued to letters or digits (tokens are tok_ + hex, so their digit runs touch letters).
EDGE_L, EDGE_R = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
PATTERNS = {
    "id card": re.compile(EDGE_L + r"\d{17}[\dXx]" + EDGE_R),
    "phone": re.compile(EDGE_L + r"1[3-9]\d{9}" + EDGE_R),
    "bank account": re.compile(EDGE_L + r"\d{16,19}" + EDGE_R),
}


def _hits(text: str) -> list[str]:
    return [f"{name}: {m.group(0)}" for name, pattern in PATTERNS.items() for m in pattern.finditer(text)]


def test_the_patterns_find_personal_data_in_the_landing_files(closed: Path) -> None:
    members = next((closed / "landing" / "policy").glob("members_2025Q2.*"))
    found = _hits(members.read_text(encoding="utf-8"))
    assert any(h.startswith("id card") for h in found) and any(h.startswith("phone") for h in found)


def test_landing_archive_and_quarantine_are_owner_only(closed: Path) -> None:
    for folder in (closed / "landing", closed / "deliveries", closed / "quarantine"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept = list((closed / "deliveries").iterdir())
    assert kept and all(stat.S_IMODE(path.stat().st_mode) == 0o400 for path in kept)


def test_no_published_file_holds_personal_data(closed: Path) -> None:
    files = [p for p in (closed / "extracts").rglob("*") if p.is_file()]
    assert files
    for path in files:
        if path.suffix in (".csv", ".json", ".html"):
            assert _hits(path.read_text(encoding="utf-8-sig")) == [], path


def test_no_warehouse_table_holds_personal_data(closed: Path) -> None:
    with duckdb.connect(str(closed / "warehouse.duckdb"), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        for schema, table, column in columns:
            for name, pattern in PATTERNS.items():
                regex = pattern.pattern.replace(r"(?<![0-9A-Za-z])", "(^|[^0-9A-Za-z])").replace(
                    r"(?![0-9A-Za-z])", "([^0-9A-Za-z]|$)"
                )
                count = con.execute(
                    f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}", ?)', [regex]
                ).fetchone()[0]
                assert count == 0, f"{schema}.{table}.{column} holds {name} patterns"


def test_no_dagster_metadata_holds_personal_data(closed: Path) -> None:
    instance = dg.DagsterInstance.from_config(str(closed / "dagster"))
    records = instance.get_event_records(dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_MATERIALIZATION))
    assert records
    for record in records:
        materialization = record.event_log_entry.asset_materialization
        text = " ".join(f"{k}={v.value}" for k, v in materialization.metadata.items())
        assert _hits(text) == [], materialization.asset_key
