"""Table rules of the landing contract beyond single columns, and the cross-table checks over the raw layer.

A table's ``rules:`` list is declarative (no SQL): each rule has an ``id`` and a ``kind``. The row kinds
(``sign``, ``order``, ``not_after_quarter_end``) compile to conditions that the one validation scan of
:mod:`orchestration.ingest` evaluates; ``balanced`` checks a group total after that scan; the cross-table kinds
(``reference``, ``not_before_reference``, ``roll_forward``) run in :func:`check_cross_table` over the raw
partitions already written. ``contracts/README.md`` documents every kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from orchestration.landing_contract import Table, get_table, load_contracts
from orchestration.periods import Period
from orchestration.settings import duckdb_connect

# Rule kinds a table's ``rules:`` list in ``contracts/<system>.yaml`` may use.
ROW_KINDS = ("sign", "order", "not_after_quarter_end")
CROSS_KINDS = ("reference", "not_before_reference", "roll_forward")
KINDS = (*ROW_KINDS, "balanced", *CROSS_KINDS)


@dataclass(frozen=True)
class Check:
    """One rule compiled for the validation scan: ``condition`` is true on a breaking row of ``landed``."""

    column: str
    rule: str
    condition: str
    shown: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    """A broken cross-table rule, named like a :class:`~orchestration.ingest.LandingError` (row 1 = first row)."""

    file: Path
    rule: str
    detail: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, column {self.column}: {self.rule}: {self.detail}"


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _codes(values: list[str]) -> str:
    return ", ".join(literal(v) for v in values)


def table_rules(table: Table) -> list[dict]:
    """The table's declared rules, checked against the kinds and columns they may use."""
    rules = table.extra.get("rules", [])
    for rule in rules:
        if rule.get("kind") not in KINDS:
            raise ValueError(f"contract {table.key}: rule {rule.get('id')!r} has unknown kind {rule.get('kind')!r}")
        named = [rule.get(k) for k in ("column", "by", "debit", "credit", "key", "opening")]
        named += [c for k in ("columns", "group_by") for c in rule.get(k, [])]
        unknown = [c for c in named if c is not None and c not in table.column_names]
        if unknown:
            raise ValueError(f"contract {table.key}: rule {rule['id']!r} names unknown column {unknown[0]!r}")
    return rules


def _typed(table: Table, name: str, sql_type: str | None = None) -> str:
    return f"try_cast({ident(name)} as {sql_type or table.column(name).sql_type})"


def row_checks(table: Table, quarter: Period) -> list[Check]:
    """The table's row rules as conditions on the landed text, for the single validation scan."""
    checks = []
    for rule in table_rules(table):
        kind, rid = rule["kind"], rule["id"]
        if kind == "sign":
            amount, by = _typed(table, rule["column"]), ident(rule["by"])
            label = (
                f"{rid} ({rule['column']} >= 0 for {', '.join(rule['non_negative'])}; "
                f"<= 0 for {', '.join(rule['non_positive'])})"
            )
            condition = (
                f"({by} in ({_codes(rule['non_negative'])}) and {amount} < 0)"
                f" or ({by} in ({_codes(rule['non_positive'])}) and {amount} > 0)"
            )
            checks.append(Check(rule["column"], label, condition, (rule["by"], rule["column"])))
        elif kind == "order":
            names = rule["columns"]
            common = "DATE" if any(table.column(n).type == "date" for n in names) else None
            pairs = [f"{_typed(table, a, common)} > {_typed(table, b, common)}" for a, b in pairwise(names)]
            checks.append(Check(names[0], f"{rid} ({' <= '.join(names)})", " or ".join(pairs), tuple(names)))
        elif kind == "not_after_quarter_end":
            end = quarter.end.isoformat()
            for name in rule["columns"]:
                condition = f"{_typed(table, name, 'DATE')} > DATE '{end}'"
                checks.append(Check(name, f"{rid} ({name} <= {end})", condition, (name,)))
    return checks


def group_checks(table: Table) -> list[tuple[str, str, str]]:
    """(column, rule, SQL) per ``balanced`` rule; the SQL yields the first row and totals of an unbalanced group."""
    checks = []
    for rule in table_rules(table):
        if rule["kind"] != "balanced":
            continue
        keys = ", ".join(ident(k) for k in rule["group_by"])
        debit, credit = _typed(table, rule["debit"]), _typed(table, rule["credit"])
        sql = (
            f"select min(__row), concat_ws(', ', {keys}), sum({debit}), sum({credit}) from landed "
            f"group by {keys} having sum({debit}) <> sum({credit}) order by 1 limit 1"
        )
        label = f"{rule['id']} (sum of {rule['debit']} = sum of {rule['credit']} per {', '.join(rule['group_by'])})"
        checks.append((rule["debit"], label, sql))
    return checks


def _partitions(raw_root: Path, table: Table, quarter: Period) -> list[tuple[Period, Path]]:
    folder = raw_root / table.system / table.name
    found = [(Period.parse(p.parent.name.removeprefix("quarter=")), p) for p in folder.glob("quarter=*/data.parquet")]
    return sorted((q, p) for q, p in found if q <= quarter)


def _numbered(path: Path) -> str:
    """The rows of one raw partition with ``__row`` (1 = first delivered row: raw rows keep delivery order)."""
    return f"(select file_row_number + 1 as __row, * from read_parquet({literal(str(path))}, file_row_number = true))"


def _reference_relation(raw_root: Path, reference: Table, quarter: Period) -> str | None:
    """Every event partition up to ``quarter``, or the latest snapshot delivered by it."""
    parts = _partitions(raw_root, reference, quarter)
    if not parts:
        return None
    files = [p for _, p in parts] if reference.kind == "event" else [parts[-1][1]]
    return f"read_parquet([{', '.join(literal(str(f)) for f in files)}])"


def _cross_sql(rule: dict, table: Table, reference: Table, checked: str, relation: str) -> tuple[str, str]:
    """(rule label, SQL yielding first row, its value and the count of breaking rows) for one cross-table rule."""
    column = ident(rule["column"])
    if rule["kind"] == "reference":
        ref_key = ident(reference.primary_key[0])
        label = f"{rule['id']} ({rule['column']} in {reference.key})"
        where = f"{column} is not null and {column} not in (select {ref_key} from {relation})"
        shown = f"cast({column} as VARCHAR)"
        return label, f"select min(__row), arg_min({shown}, __row), count(*) from {checked} where {where}"
    key = ident(rule["key"])
    if rule["kind"] == "roll_forward":
        opening, debit, credit = (f"c.{ident(rule[k])}" for k in ("opening", "debit", "credit"))
        label = (
            f"{rule['id']} ({rule['column']} = {rule['opening']} + {rule['debit']} - {rule['credit']}, "
            f"on the side of {reference.key}.{rule['side']})"
        )
        turnover = f"case when r.{ident(rule['side'])} = 'credit' then {credit} - {debit} else {debit} - {credit} end"
        shown = f"concat_ws(' ', {opening}, {debit}, {credit}, c.{column}, r.{ident(rule['side'])})"
        sql = (
            f"select min(c.__row), arg_min({shown}, c.__row), count(*) from {checked} c join {relation} r"
            f" on c.{key} = r.{key} where c.{column} <> {opening} + {turnover}"
        )
        return label, sql
    bound = ident(rule["not_before"])
    dated = "date" in (table.column(rule["column"]).type, reference.column(rule["not_before"]).type)
    common = "DATE" if dated else "TIMESTAMP"
    label = f"{rule['id']} ({rule['column']} >= {reference.key}.{rule['not_before']})"
    sql = (
        f"select min(c.__row), arg_min(concat(cast(c.{column} as VARCHAR), ' < ', cast(r.{bound} as VARCHAR)),"
        f" c.__row), count(*) from {checked} c join {relation} r on c.{key} = r.{key}"
        f" where cast(c.{column} as {common}) < cast(r.{bound} as {common})"
    )
    return label, sql


def check_cross_table(raw_root: Path, quarter: Period) -> list[Finding]:
    """Cross-table rules of the rows delivered for ``quarter`` against the raw partitions up to it.

    One finding per broken rule, naming the raw partition, its first breaking row (raw rows keep delivery order)
    and column. Tables or references not yet extracted are skipped.
    """
    findings = []
    with duckdb_connect() as con:
        for table in load_contracts():
            own = dict(_partitions(raw_root, table, quarter)).get(quarter)
            for rule in table_rules(table):
                if own is None or rule["kind"] not in CROSS_KINDS:
                    continue
                reference = get_table(*rule["reference"].split("/"))
                relation = _reference_relation(raw_root, reference, quarter)
                if relation is None:
                    continue
                label, sql = _cross_sql(rule, table, reference, _numbered(own), relation)
                row, value, count = con.execute(sql).fetchone()
                if count:
                    detail = f"{count} row(s) break it; first value {value!r}"
                    findings.append(Finding(own, label, detail, row, rule["column"]))
    return findings
