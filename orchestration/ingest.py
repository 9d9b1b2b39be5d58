"""Extraction of one landing table for one quarter into the raw layer, validated against its contract.

A delivery is read with DuckDB as text (in the fast path, a Parquet column of the contract's type as it is) and
its typed rows (personal data tokenised) are written to
``lake/raw/<system>/<table>/quarter=<YYYYQn>/data.parquet`` atomically, if it breaks no contract rule. The fast
path checks every row rule in the same scan that writes the rows and stops at any breach; only then is the
delivery landed with its row numbers and checked again rule by rule (the slow path), so that the first broken
rule raises :class:`LandingError` naming the file, row, column and rule. A Parquet delivery that already is its
raw partition (the contract's columns, in order and typed, no personal data to tokenise) is copied as it is and
the copy checked, instead of being written again.
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

from orchestration.delivery_rules import Check, group_checks, ident, literal, row_checks
from orchestration.landing_contract import FILE_FORMATS, Column, Table
from orchestration.periods import Period, cst_now
from orchestration.settings import duckdb_config

NULL_SPELLINGS = ("", "NULL", "\\N")
# Numbers are normalised on the text before casting: full-width digits, point, comma and minus to ASCII,
# then commas dropped where they group thousands (``1,234.50``), never elsewhere (``12,50`` stays refused).
FULL_WIDTH, ASCII = "０１２３４５６７８９．，－＋−", "0123456789.,-+-"
THOUSANDS = r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?"
# Numbers are written plain: DuckDB's casts alone would also take ``1e3``, ``1_000``, ``0x10`` and round ``3.5``.
DECIMAL_FORMAT = r"[+-]?[0-9]+(\.[0-9]+)?"
NUMBER_FORMATS = {"integer": r"[+-]?[0-9]+", "money": DECIMAL_FORMAT, "rate": DECIMAL_FORMAT}
_REJECTED_ROWS = {
    "MISSING COLUMNS": "ragged row",
    "TOO MANY COLUMNS": "ragged row",
    "UNQUOTED VALUE": "unterminated quote",
}
_CHUNK = 1 << 24
# zstd's fastest level: the members' partitions (four tokens of random hex a row, which no level compresses much)
# are written in 27 % less time than at DuckDB's default level 3, and 5 % smaller (docs/performance.md).
PARQUET_OPTIONS = "(format parquet, compression zstd, compression_level 1)"
# DuckDB scans a Parquet row group per thread: a delivery with larger row groups is written again in DuckDB's own
# (122,880 rows) rather than copied, so that every later read of the partition keeps both cores busy.
VERBATIM_ROW_GROUP_ROWS = 1 << 20


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


def feed_utf8(decoder: codecs.IncrementalDecoder, chunk: bytes) -> None:
    """Check the next ``chunk`` with an incremental UTF-8 decoder (raises :class:`UnicodeDecodeError`); a chunk of
    ASCII is valid without decoding it, unless it follows an incomplete character."""
    if decoder.getstate()[0] or not chunk.isascii():
        decoder.decode(chunk)


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                feed_utf8(decoder, chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def as_utf8(path: Path, workdir: Path, utf8: bool | None = None) -> Path:
    """The CSV itself if UTF-8 (with or without BOM), else a UTF-8 copy transcoded from GBK in a stream.

    ``utf8``: whether the file decodes as UTF-8, if the caller already read it.
    """
    if _is_utf8(path) if utf8 is None else utf8:
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


def _column_checks(column: Column, typed: bool = False) -> list[Check]:
    """The contract's rules on one column of the landed (normalised) text; ``typed``: the column is read with the
    contract's type already (a Parquet column of that type), so its format rules hold by construction."""
    col, shown = ident(column.name), (column.name,)
    checks = []
    if not column.nullable:
        checks.append(Check(column.name, "not null", f"{col} is null", shown))
    if column.type != "string" and not typed:
        malformed = f"try_cast({col} as {column.sql_type}) is null"
        if column.type in NUMBER_FORMATS:
            malformed = f"not regexp_full_match({col}, {literal(NUMBER_FORMATS[column.type])}) or {malformed}"
        checks.append(Check(column.name, f"type {column.type}", f"{col} is not null and ({malformed})", shown))
    if column.type == "money" and not typed:
        condition = f"try_cast({col} as DECIMAL(38,10)) <> try_cast({col} as DECIMAL(38,2))"
        checks.append(Check(column.name, "money to the fen", condition, shown))
    if column.allowed:
        condition = f"{col} is not null and {col} not in ({', '.join(literal(c) for c in column.allowed)})"
        checks.append(Check(column.name, f"allowed values ({', '.join(column.allowed)})", condition, shown))
    return checks


def _partition_check(table: Table, quarter: Period) -> list[Check]:
    if table.kind != "event":
        return []
    start, end = quarter.start.isoformat(), quarter.end.isoformat()
    condition = f"try_cast({ident(table.partition_by)} as DATE) not between DATE '{start}' and DATE '{end}'"
    rule = f"inside partition {quarter.label} ({start} to {end}, CST)"
    return [Check(table.partition_by, rule, condition, (table.partition_by,))]


def _checks(table: Table, quarter: Period, typed: frozenset[str] = frozenset()) -> list[Check]:
    """Every column, partition and row rule of ``table``, in contract order (``typed``: columns read typed)."""
    checks = [check for column in table.columns for check in _column_checks(column, column.name in typed)]
    return checks + _partition_check(table, quarter) + row_checks(table, quarter)


def _first_breach(con: duckdb.DuckDBPyConnection, table: Table, quarter: Period) -> tuple[Check, int] | None:
    """The earliest row breaking a column, partition or row rule (in contract order within a row), in one scan."""
    checks = _checks(table, quarter)
    select = ", ".join(f"min(case when {check.condition} then __row end)" for check in checks)
    first_rows = con.execute(f"select {select} from landed").fetchone()
    breaches = [(check, row) for check, row in zip(checks, first_rows, strict=True) if row is not None]
    return min(breaches, key=lambda breach: breach[1]) if breaches else None


def _check_rows(con: duckdb.DuckDBPyConnection, table: Table, quarter: Period, source: Path) -> None:
    breach = _first_breach(con, table, quarter)
    if breach:
        check, row = breach
        values = con.execute(f"select {', '.join(ident(c) for c in check.shown)} from landed where __row = ?", [row])
        shown = values.fetchone()
        if len(shown) == 1:
            detail = f"value {shown[0]!r} breaks it"
        else:
            detail = ", ".join(f"{c}={v!r}" for c, v in zip(check.shown, shown, strict=True)) + " break it"
        raise LandingError(source, check.rule, detail, row=row, column=check.column)
    key = ", ".join(ident(c) for c in table.primary_key)
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
    for column, rule, sql in group_checks(table):
        unbalanced = con.execute(sql).fetchone()
        if unbalanced:
            row, group, debits, credits = unbalanced
            detail = f"group {group}: {debits} against {credits}"
            raise LandingError(source, rule, detail, row=row, column=column)


def token_secret(key: bytes) -> str:
    """The secret the personal-data tokens are keyed with: 128 bits derived from the home's key, as hex."""
    return hashlib.sha256(key + b"/token").hexdigest()[:32]


def _typed_body(table: Table, key: bytes) -> str:
    """The select list of the raw partition: typed columns, personal data tokenised.

    A token is SHA-256 of a secret derived from the key followed by the value, cut to 128 bits: one hash per value
    (no HMAC's second pass: a length extension needs the whole digest, and only half of it is kept). The secret is
    128 bits written as 32 hex digits, so that it and a value of up to 23 bytes (names, ID cards, phones, bank
    accounts) fill one SHA-256 block: a 64-digit secret took two blocks, twice the hashing."""
    secret = token_secret(key)
    columns = []
    for column in table.columns:
        col = ident(column.name)
        if column.pii:
            columns.append(f"'tok_' || left(sha256('{secret}' || {col}), 32) as {col}")
        else:
            columns.append(f"cast({col} as {column.sql_type}) as {col}")
    return ", ".join(columns)


def _normalised(column: Column) -> str:
    """SQL for one landed text column after the documented normalisations (numbers only)."""
    col = ident(column.name)
    if column.type not in NUMBER_FORMATS:
        return col
    ascii_only = f"strlen({col}) = length({col})"  # bytes = characters: skip the (costly) translate
    text = f"(case when {ascii_only} then {col} else translate({col}, {literal(FULL_WIDTH)}, {literal(ASCII)}) end)"
    grouped = f"contains({text}, ',') and regexp_full_match({text}, {literal(THOUSANDS)})"
    return f"case when {grouped} then replace({text}, ',', '') else {text} end"


def _check_csv_rows(con: duckdb.DuckDBPyConnection, source: Path) -> None:
    """Refuse the first row the CSV reader could not split into the header's fields (a truncated or ragged line)."""
    rejected = con.execute(
        "select line, column_name, error_type, error_message from reject_errors order by line limit 1"
    ).fetchone()
    if rejected:
        line, column, kind, message = rejected
        rule = _REJECTED_ROWS.get(kind, "unreadable row")
        raise LandingError(source, rule, message, row=line - 1, column=column or "(beyond the header)")


def _relation(
    source: Path,
    table: Table,
    workdir: Path,
    utf8: bool | None,
    con: duckdb.DuckDBPyConnection,
    typed: bool = False,
    copy: Path | None = None,
) -> tuple[str, frozenset[str]]:
    """SQL reading the delivery (or its Parquet ``copy``) as text with the documented normalisations, once its
    header is checked, and the columns read typed instead: with ``typed``, a Parquet column whose type is the
    contract's is read as it is (converting it to text and back would give the same value; its format rules hold
    by construction)."""
    kept: frozenset[str] = frozenset()
    if source.suffix == ".parquet":
        parquet = f"{literal(str(copy or source))}, hive_partitioning = false"  # the copy lies in quarter=…/
        delivered = con.execute(f"describe from read_parquet({parquet})").fetchall()
        _check_header([row[0] for row in delivered], table, source)
        if typed:
            types = {row[0]: row[1] for row in delivered}
            kept = frozenset(c.name for c in table.columns if types[c.name] == c.sql_type)
        cols = ", ".join(
            ident(c) if c in kept else f"cast({ident(c)} as VARCHAR) as {ident(c)}" for c in table.column_names
        )
        relation = f"select {cols} from read_parquet({parquet})"
    else:
        utf8_path = as_utf8(source, workdir, utf8)
        header = _csv_header(utf8_path, source)
        _check_header(header, table, source)
        nulls = ", ".join(literal(n) for n in NULL_SPELLINGS)
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in header)
        relation = (
            f"select * from read_csv({literal(str(utf8_path))}, header = true, auto_detect = false, "
            f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', nullstr = [{nulls}], "
            "strict_mode = true, store_rejects = true)"
        )
    normalised = ", ".join(
        ident(c.name) if c.name in kept else f"{_normalised(c)} as {ident(c.name)}" for c in table.columns
    )
    return f"select {normalised} from ({relation})", kept


def _as_delivered(con: duckdb.DuckDBPyConnection, source: Path, table: Table) -> bool:
    """Whether the delivery, copied byte for byte, is its raw partition: Parquet with the contract's columns in
    the contract's order and of its types, no personal data (tokens must be written), row groups of at most
    :data:`VERBATIM_ROW_GROUP_ROWS` rows."""
    if source.suffix != ".parquet" or any(column.pii for column in table.columns):
        return False
    try:  # an unreadable file is for the usual path to report
        delivered = con.execute(f"describe from read_parquet({literal(str(source))})").fetchall()
        (largest,) = con.execute(
            f"select max(row_group_num_rows) from parquet_metadata({literal(str(source))})"
        ).fetchone()
    except duckdb.Error:
        return False
    columns = [(row[0], row[1]) for row in delivered]
    return columns == [(c.name, c.sql_type) for c in table.columns] and (largest or 0) <= VERBATIM_ROW_GROUP_ROWS


def _land(con: duckdb.DuckDBPyConnection, source: Path, relation: str) -> None:
    try:
        con.execute(f"create temp table landed as select row_number() over () as __row, * from ({relation})")
    except duckdb.Error as exc:
        raise LandingError(source, "unreadable file", str(exc).splitlines()[0]) from exc
    if source.suffix != ".parquet":
        _check_csv_rows(con, source)


def _copy_if_valid(
    con: duckdb.DuckDBPyConnection,
    source: Path,
    relation: tuple[str, frozenset[str]],
    table: Table,
    quarter: Period,
    key: bytes,
    staged: Path,
    copied: bool = False,
) -> int | None:
    """The fast path: write the typed rows straight from the delivery in one scan that fails on the first breaking
    row, then look for a repeated key in what was written. Returns the rows written, or None (nothing kept) if any
    rule may be broken: :func:`_check_rows` then finds which, on the landed rows, for the exact error. With
    ``copied``, ``staged`` already holds the delivery as it is and ``relation`` reads it: the scan only checks.

    Rows keep the delivery's order (DuckDB's ``preserve_insertion_order``). The key is checked on the typed, tokenised
    values, which are equal whenever the delivered texts are: a repeat there only sends the delivery the slow way.
    """
    if group_checks(table):  # group totals on the delivered text: the slow path only
        return None
    sql, typed = relation
    breach = " or ".join(f"({check.condition})" for check in _checks(table, quarter, typed))
    valid = f"case when {breach} then error('contract rule broken') else true end"
    body = _typed_body(table, key)
    keys = ", ".join(ident(c) for c in table.primary_key)
    try:
        scan = (
            f"select count(*) from ({sql}) where {valid}"
            if copied
            else (f"copy (select {body} from ({sql}) where {valid}) to {literal(str(staged))} {PARQUET_OPTIONS}")
        )
        rows = con.execute(scan).fetchone()[0]
        rejected = source.suffix != ".parquet" and con.execute("select count(*) from reject_errors").fetchone()[0]
        repeated = con.execute(
            f"select 1 from read_parquet({literal(str(staged))}) group by {keys} having count(*) > 1 limit 1"
        ).fetchone()
    except duckdb.Error:  # a breaking row (or an unreadable file): the slow path names it
        rejected = True
    if rejected or repeated:
        staged.unlink(missing_ok=True)
        return None
    return rows


def extract_partition(
    table: Table,
    quarter: Period,
    landing_root: Path,
    raw_root: Path,
    pii_key: bytes,
    workdir: Path,
    source_sha256: str | None = None,
) -> ExtractResult:
    """Validate the delivery of ``table`` for ``quarter`` and (re)write its raw partition.

    ``source_sha256``: the delivery's checksum if the caller already read it (saves a pass over the file).
    """
    staged = stage_partition(table, quarter, landing_root, raw_root, pii_key, workdir, source_sha256)
    os.replace(staged.staged, staged.output)
    return staged.result


@dataclass(frozen=True)
class StagedPartition:
    """A validated partition written beside its place (``staged``), not yet in the raw layer (``output``)."""

    result: ExtractResult
    staged: Path

    @property
    def output(self) -> Path:
        return self.result.output


def stage_partition(
    table: Table,
    quarter: Period,
    landing_root: Path,
    raw_root: Path,
    pii_key: bytes,
    workdir: Path,
    source_sha256: str | None = None,
    utf8: bool | None = None,
    config: dict[str, str | int] | None = None,
) -> StagedPartition:
    """Validate the delivery of ``table`` for ``quarter`` and write its typed rows beside the raw partition.

    The caller moves ``staged`` onto ``output`` (one rename) or deletes it. ``source_sha256`` and ``utf8``: what
    the caller already read of the file; ``config``: DuckDB settings instead of :func:`duckdb_config`'s (a share
    of them when partitions are extracted side by side).
    """
    source = find_delivery(landing_root, table, quarter)
    sha = source_sha256 or file_sha256(source)
    output = raw_partition_path(raw_root, table, quarter)
    output.parent.mkdir(parents=True, exist_ok=True)
    for stale in output.parent.glob(f"{output.name}.*.staged"):  # left by a killed run; never read as data
        stale.unlink()
    workdir.mkdir(parents=True, exist_ok=True)
    staged = output.with_name(f"{output.name}.{os.getpid()}.staged")
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        # Rows are written in the order read (the fast path has no row numbers to sort by).
        conf = {**(config or duckdb_config()), "temp_directory": tmp, "preserve_insertion_order": True}
        try:
            with duckdb.connect(config=conf) as con:
                copied = _as_delivered(con, source, table)
                if copied:  # the checks then read the copy: what they pass is what lands
                    shutil.copyfile(source, staged)
                fast = _relation(source, table, Path(tmp), utf8, con, typed=True, copy=staged if copied else None)
                rows = _copy_if_valid(con, source, fast, table, quarter, pii_key, staged, copied)
            if rows is None:  # some rule may be broken: land the rows as text, name the first breach or write them
                with duckdb.connect(config=conf) as con:
                    relation = _relation(source, table, Path(tmp), utf8, con)[0] if fast[1] else fast[0]
                    _land(con, source, relation)
                    _check_rows(con, table, quarter, source)
                    typed = f"select {_typed_body(table, pii_key)} from landed order by __row"
                    con.execute(f"copy ({typed}) to {literal(str(staged))} {PARQUET_OPTIONS}")
                    rows = con.execute("select count(*) from landed").fetchone()[0]
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
    return StagedPartition(ExtractResult(table, quarter, source, sha, rows, output), staged)


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
