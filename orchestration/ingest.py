"""Extraction of one landing table for one quarter into the raw layer, validated against its contract.

A delivery is read with DuckDB as text, every contract rule is checked in one scan, and the typed rows
(personal data tokenised) are written to ``lake/raw/<system>/<table>/quarter=<YYYYQn>/data.parquet``
atomically. The first broken rule raises :class:`LandingError` naming the file, row, column and rule.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.landing_contract import FILE_FORMATS, Column, Table
from orchestration.periods import Period, cst_now

NULL_SPELLINGS = ("", "NULL", "\\N")
_CHUNK = 1 << 24


class LandingError(Exception):
    """A delivery broke its contract."""

    def __init__(self, file: Path, rule: str, detail: str, row: int | None = None, column: str | None = None):
        self.file, self.rule, self.detail, self.row, self.column = file, rule, detail, row, column
        where = ", ".join(part for part in (f"row {row}" if row else "", f"column {column}" if column else "") if part)
        super().__init__(f"{file}: {where + ': ' if where else ''}{rule}: {detail}")


@dataclass(frozen=True)
class ExtractResult:
    """What one partition's extraction read and wrote."""

    table: Table
    quarter: Period
    source: Path
    source_sha256: str
    rows: int
    output: Path


def raw_partition_path(raw_root: Path, table: Table, quarter: Period) -> Path:
    return raw_root / table.system / table.name / f"quarter={quarter.label}" / "data.parquet"


def find_delivery(landing_root: Path, table: Table, quarter: Period) -> Path:
    """The one file delivered for ``table`` and ``quarter``."""
    stem = landing_root / table.system / table.file_stem(quarter.label)
    found = [stem.with_name(f"{stem.name}.{ext}") for ext in FILE_FORMATS]
    found = [path for path in found if path.exists()]
    if not found:
        raise LandingError(stem.with_name(f"{stem.name}.csv"), "delivery missing", "no CSV or Parquet file delivered")
    if len(found) > 1:
        raise LandingError(found[0], "ambiguous delivery", f"both {found[0].name} and {found[1].name} delivered")
    return found[0]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def as_utf8(path: Path, workdir: Path) -> Path:
    """The CSV itself if UTF-8 (with or without BOM), else a UTF-8 copy transcoded from GBK in a stream."""
    if _is_utf8(path):
        return path
    target = workdir / f"{path.stem}.utf8.csv"
    try:
        with path.open("r", encoding="gbk", newline="") as src, target.open("w", encoding="utf-8", newline="") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)
    except UnicodeDecodeError as exc:
        raise LandingError(path, "encoding", "neither UTF-8 nor GBK") from exc
    return target


def _csv_header(path: Path, original: Path) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise LandingError(original, "empty file", "no header row")
    return [name.strip() for name in header]


def _check_header(header: list[str], table: Table, source: Path) -> None:
    expected = table.column_names
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise LandingError(source, "duplicate column", f"{duplicated[0]!r} appears twice", column=duplicated[0])
    for name in expected:
        if name not in header:
            raise LandingError(source, "missing column", f"contract column {name!r} not delivered", column=name)
    for name in header:
        if name not in expected:
            raise LandingError(source, "unexpected column", f"{name!r} is not in the contract", column=name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_rules(column: Column) -> list[tuple[str, str]]:
    """(rule, SQL condition that is true on a breaking row) for one column of the landed text."""
    col = _ident(column.name)
    rules = []
    if not column.nullable:
        rules.append(("not null", f"{col} is null"))
    if column.type != "string":
        rules.append((f"type {column.type}", f"{col} is not null and try_cast({col} as {column.sql_type}) is null"))
    if column.type == "money":
        rules.append(
            (
                "money to the fen",
                f"try_cast({col} as DECIMAL(38,10)) <> try_cast({col} as DECIMAL(38,2))",
            )
        )
    if column.allowed:
        codes = ", ".join(_literal(code) for code in column.allowed)
        rules.append((f"allowed values ({', '.join(column.allowed)})", f"{col} is not null and {col} not in ({codes})"))
    return rules


def _first_breaches(con: duckdb.DuckDBPyConnection, table: Table, quarter: Period) -> list[tuple[str, str, int]]:
    checks: list[tuple[str, str, str]] = []
    for column in table.columns:
        checks.extend((column.name, rule, cond) for rule, cond in _column_rules(column))
    if table.kind == "event":
        col = _ident(table.partition_by)
        start, end = quarter.start.isoformat(), quarter.end.isoformat()
        checks.append(
            (
                table.partition_by,
                f"inside partition {quarter.label} ({start} to {end}, CST)",
                f"try_cast({col} as DATE) not between DATE '{start}' and DATE '{end}'",
            )
        )
    select = ", ".join(f"min(case when {cond} then __row end)" for _, _, cond in checks)
    first_rows = con.execute(f"select {select} from landed").fetchone()
    return [(name, rule, row) for (name, rule, _), row in zip(checks, first_rows, strict=True) if row is not None]


def _check_rows(con: duckdb.DuckDBPyConnection, table: Table, quarter: Period, source: Path) -> None:
    breaches = _first_breaches(con, table, quarter)
    if breaches:
        column, rule, row = min(breaches, key=lambda b: b[2])
        value = con.execute(f"select {_ident(column)} from landed where __row = ?", [row]).fetchone()[0]
        raise LandingError(source, rule, f"value {value!r} breaks it", row=row, column=column)
    key = ", ".join(_ident(c) for c in table.primary_key)
    duplicate = con.execute(
        f"""
        select __row, {key} from (
            select __row, {key}, row_number() over (partition by {key} order by __row) as n from landed
        ) where n = 2 order by __row limit 1
        """
    ).fetchone()
    if duplicate:
        shown = ", ".join(f"{c}={v!r}" for c, v in zip(table.primary_key, duplicate[1:], strict=True))
        raise LandingError(
            source,
            "duplicate key",
            f"primary key ({shown}) delivered twice",
            row=duplicate[0],
            column=",".join(table.primary_key),
        )


def _typed_select(table: Table, key: bytes) -> str:
    inner = hashlib.sha256(key + b"/inner").hexdigest()
    outer = hashlib.sha256(key + b"/outer").hexdigest()
    columns = []
    for column in table.columns:
        col = _ident(column.name)
        if column.pii:
            columns.append(f"'tok_' || left(sha256('{outer}' || sha256('{inner}' || {col})), 32) as {col}")
        else:
            columns.append(f"cast({col} as {column.sql_type}) as {col}")
    return f"select {', '.join(columns)} from landed order by __row"


def _land(con: duckdb.DuckDBPyConnection, source: Path, table: Table, workdir: Path) -> None:
    if source.suffix == ".parquet":
        names = [
            row[0]
            for row in con.execute(
                "select name from parquet_schema(?) where name <> 'schema'", [str(source)]
            ).fetchall()
        ]
        _check_header(names, table, source)
        cols = ", ".join(f"cast({_ident(c)} as VARCHAR) as {_ident(c)}" for c in table.column_names)
        relation = f"select {cols} from read_parquet({_literal(str(source))})"
    else:
        utf8 = as_utf8(source, workdir)
        _check_header(_csv_header(utf8, source), table, source)
        nulls = ", ".join(_literal(n) for n in NULL_SPELLINGS)
        relation = (
            f"select * from read_csv({_literal(str(utf8))}, header = true, all_varchar = true, delim = ',', "
            f"quote = '\"', escape = '\"', nullstr = [{nulls}], strict_mode = true)"
        )
    try:
        con.execute(f"create temp table landed as select row_number() over () as __row, * from ({relation})")
    except duckdb.Error as exc:
        raise LandingError(source, "unreadable file", str(exc).splitlines()[0]) from exc


def extract_partition(
    table: Table, quarter: Period, landing_root: Path, raw_root: Path, pii_key: bytes, workdir: Path
) -> ExtractResult:
    """Validate the delivery of ``table`` for ``quarter`` and (re)write its raw partition."""
    source = find_delivery(landing_root, table, quarter)
    sha = file_sha256(source)
    output = raw_partition_path(raw_root, table, quarter)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp, duckdb.connect() as con:
        con.execute(f"set temp_directory = {_literal(tmp)}")
        _land(con, source, table, Path(tmp))
        _check_rows(con, table, quarter, source)
        staged = output.with_name(f".data.{os.getpid()}.parquet")
        con.execute(
            f"copy ({_typed_select(table, pii_key)}) to {_literal(str(staged))} (format parquet, compression zstd)"
        )
        rows = con.execute("select count(*) from landed").fetchone()[0]
    os.replace(staged, output)
    return ExtractResult(table, quarter, source, sha, rows, output)


def quarantine(error: LandingError, quarantine_root: Path) -> Path:
    """Move the offending delivery intact to the quarantine with the error beside it; return its folder."""
    stamp = cst_now().strftime("%Y%m%dT%H%M%S%f")
    folder = quarantine_root / f"{stamp}_{error.file.parent.name}"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if error.file.exists():
        shutil.move(str(error.file), folder / error.file.name)
    (folder / f"{error.file.name}.error.txt").write_text(
        f"file: {error.file}\nrow: {error.row or '-'}\ncolumn: {error.column or '-'}\nrule: {error.rule}\n"
        f"detail: {error.detail}\n",
        encoding="utf-8",
    )
    return folder
