"""The landing contract: what each source system delivers, read from ``contracts/<system>.yaml``.

Files land as ``$REGWH_HOME/landing/<system>/<table>_<YYYYQn>.<csv|parquet>``. Event tables carry the
rows whose ``partition_by`` column falls in the quarter (China Standard Time); snapshot tables carry the
whole state at the quarter end. ``contracts/README.md`` explains the conventions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from orchestration.periods import Period, quarter_range

# Contract type -> DuckDB/Parquet type. Money is CNY to the fen, never floating point.
SQL_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "money": "DECIMAL(18,2)",
    "rate": "DECIMAL(18,6)",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
FILE_FORMATS = ("csv", "parquet")
# A system signals a complete quarter by dropping ``landing/<system>/<YYYYQn>.done`` after its files.
DELIVERY_MARKER_SUFFIX = ".done"


@dataclass(frozen=True)
class Column:
    """One column of a landing table."""

    name: str
    type: str
    description: str
    nullable: bool = False
    pii: bool = False
    allowed: tuple[str, ...] = ()

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Table:
    """One landing table of one source system."""

    system: str
    name: str
    description: str
    kind: str  # "event" or "snapshot"
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    partition_by: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """``<system>/<table>``, unique across systems."""
        return f"{self.system}/{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def file_stem(self, quarter: str) -> str:
        return f"{self.name}_{quarter}"


def _load_system(text: str) -> list[Table]:
    doc = yaml.safe_load(text)
    system = doc["system"]
    tables = []
    for name, spec in doc["tables"].items():
        columns = tuple(
            Column(
                name=c["name"],
                type=c["type"],
                description=c.get("description", ""),
                nullable=bool(c.get("nullable", False)),
                pii=bool(c.get("pii", False)),
                allowed=tuple(c.get("allowed", ())),
            )
            for c in spec["columns"]
        )
        for column in columns:
            if column.type not in SQL_TYPES:
                raise ValueError(f"contract {system}.{name}: unknown type {column.type!r} for {column.name}")
        table = Table(
            system=system,
            name=name,
            description=spec.get("description", ""),
            kind=spec["kind"],
            primary_key=tuple(spec["primary_key"]),
            columns=columns,
            partition_by=spec.get("partition_by"),
            extra={"rules": spec["rules"]} if "rules" in spec else {},
        )
        if table.kind == "event" and table.partition_by not in table.column_names:
            raise ValueError(f"contract {table.key}: event tables need a partition_by column")
        tables.append(table)
    return tables


@cache
def load_contracts() -> tuple[Table, ...]:
    """Every landing table of every source system, in a stable order."""
    folder = resources.files("orchestration") / "contracts"
    tables: list[Table] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            tables.extend(_load_system(entry.read_text(encoding="utf-8")))
    return tuple(tables)


def systems() -> list[str]:
    """Source systems in contract order."""
    return sorted({t.system for t in load_contracts()})


def system_tables(system: str) -> list[Table]:
    """The tables one source system delivers."""
    return [t for t in load_contracts() if t.system == system]


def delivery_marker(system_folder: Path, quarter: str) -> Path:
    """``landing/<system>/<YYYYQn>.done``: the system's delivery for the quarter is complete."""
    return system_folder / f"{quarter}{DELIVERY_MARKER_SUFFIX}"


_DELIVERY = re.compile(r"^[a-z_]+_(\d{4}Q[1-4])\.(csv|parquet)$")


def delivered_quarters(landing: Path, until: Period) -> list[Period]:
    """Quarters from the first with a delivery file in ``landing`` to ``until``'s last quarter (empty: none)."""
    found = {Period.parse(match.group(1)) for path in landing.glob("*/*") if (match := _DELIVERY.match(path.name))}
    found = {q for q in found if q <= until.last_quarter}
    return quarter_range(min(found), until.last_quarter) if found else []


def get_table(system: str, name: str) -> Table:
    for table in load_contracts():
        if table.system == system and table.name == name:
            return table
    raise KeyError(f"no landing contract for {system}/{name}")


def dbt_sources() -> dict:
    """The dbt sources document for the raw layer, derived from the contracts (``staging/__sources.yml``)."""
    sources = []
    for system in systems():
        tables = system_tables(system)
        sources.append(
            {
                "name": system,
                "description": f"Raw layer of the {system} system: validated, typed Parquet, one folder per quarter.",
                "meta": {
                    "external_location": "read_parquet('{{ env_var('REGWH_HOME') }}/lake/raw/"
                    + system
                    + "/{name}/*/*.parquet', hive_partitioning = true)"
                },
                "tables": [
                    {
                        "name": t.name,
                        "description": t.description.strip(),
                        "columns": [
                            {
                                "name": c.name,
                                "description": (c.description + (" Tokenised at extraction." if c.pii else "")).strip(),
                                "data_type": c.sql_type.lower(),
                            }
                            for c in t.columns
                        ]
                        + [
                            {
                                "name": "quarter",
                                "description": "Delivery quarter (partition folder).",
                                "data_type": "varchar",
                            }
                        ],
                    }
                    for t in tables
                ],
            }
        )
    return {"version": 2, "sources": sources}
