"""A corpus of bad deliveries, each generated from a good one and ending accepted (normalised) or rejected.

Every case builds a contract-valid delivery with :mod:`tests.deliveries`, mutates it in code and extracts it.
Accepted cases assert the normalised typed value in the raw Parquet and that no row is lost; rejected cases
assert the file, row, column and rule of the :class:`LandingError` and that quarantine keeps the file
byte-identical with the error beside it. The last test prints the table of outcomes (and writes it to
``$TMPDIR/bad_delivery_report.md``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration import ingest, settings
from orchestration.delivery_rules import check_cross_table
from orchestration.generator.writer import ARROW_TYPES
from orchestration.ingest import LandingError, extract_partition, file_sha256, quarantine, raw_partition_path
from orchestration.landing_contract import Table, get_table
from orchestration.periods import Period
from tests.deliveries import sample_rows, write_csv

Q = Period.parse("2025Q2")
PREMIUMS = get_table("policy", "premium_transactions")
PRODUCTS = get_table("policy", "products")
POLICIES = get_table("policy", "policies")
MEMBERS = get_table("policy", "members")
CLAIMS = get_table("claims", "claims")
PAYMENTS = get_table("claims", "claim_payments")
TRIAL_BALANCE = get_table("ledger", "trial_balance")
ACCOUNTS = get_table("ledger", "chart_of_accounts")
PARTIES = get_table("related_party", "parties")
PARTY_TRANSACTIONS = get_table("related_party", "transactions")
NAME = "金桔保险经纪（北京）有限公司"
TYPES_RULE = "allowed values (written, endorsement, cancellation, refund)"
SIGN_RULE = "premium sign (amount >= 0 for written, endorsement; <= 0 for cancellation, refund)"
OUTCOMES: list[tuple[str, str, str, str, int]] = []  # case, file, outcome, what, rows lost


@dataclass(frozen=True)
class Accepted:
    """Extracted with ``rows`` rows; ``value`` is the typed value of ``column`` in raw row ``row`` (1 = first)."""

    normalisation: str
    rows: int = 5
    column: str | None = None
    row: int = 1
    value: object = None


@dataclass(frozen=True)
class Rejected:
    """Refused with a LandingError naming exactly this rule, row and column."""

    rule: str
    row: int | None
    column: str | None


Rows = list[dict[str, str]]


@dataclass(frozen=True)
class Case:
    """A good delivery of ``table`` changed by ``rows`` (dict rows), ``columns``, ``text`` and ``raw_bytes``; a
    Parquet one is written as text columns unless ``arrow`` types it."""

    id: str
    table: Table
    expect: Accepted | Rejected
    rows: Callable[[Rows], Rows] = lambda rows: rows
    text: Callable[[str], str] = lambda text: text
    columns: Callable[[list[str]], list[str]] = lambda names: names
    encoding: str = "utf-8"
    parquet: bool = False
    raw_bytes: Callable[[bytes], bytes] = lambda data: data
    arrow: Callable[[pa.Table], pa.Table] = lambda data: data

    def deliver(self, landing: Path) -> Path:
        """Write the mutated delivery where the contract expects it; return its path."""
        rows = self.rows(sample_rows(self.table, Q))
        suffix = "parquet" if self.parquet else "csv"
        path = landing / self.table.system / f"{self.table.file_stem(Q.label)}.{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.parquet:
            pq.write_table(self.arrow(pa.Table.from_pylist(rows)), path)
            return path
        write_csv(path, rows, self.columns(self.table.column_names))
        text = self.text(path.read_bytes().decode("utf-8"))
        path.write_bytes(self.raw_bytes(text.encode(self.encoding)))
        return path


def _set(row: int, **values: str) -> Callable[[Rows], Rows]:
    """Change columns of data row ``row`` (1 = first)."""

    def change(rows: Rows) -> Rows:
        rows[row - 1].update(values)
        return rows

    return change


def _typed_as(table: Table, **overrides: pa.DataType) -> Callable[[pa.Table], pa.Table]:
    """The contract's types (as ``regwh generate --format parquet`` writes them), some columns ``overrides``."""
    schema = pa.schema([pa.field(c.name, overrides.get(c.name, ARROW_TYPES[c.type])) for c in table.columns])
    return lambda data: data.select(table.column_names).cast(schema)


def _cut_last_line(marker: str) -> Callable[[str], str]:
    """Cut the file inside its last line, just before ``marker``'s last occurrence (no line ending after it)."""
    return lambda text: text[: text.rindex(marker)]


def _duplicate_key(rows: Rows) -> Rows:
    rows[4]["transaction_id"] = rows[1]["transaction_id"]
    return rows


def _unbalanced_may(rows: Rows) -> Rows:
    """Rows 4-5 become May; row 5 debits 100.00 more (and still rolls forward), so May's debits exceed credits."""
    for row in rows[3:]:
        row["month_end"] = "2025-05-31"
    rows[4]["debit"] = str(Decimal(rows[4]["debit"]) + 100)
    rows[4]["closing_balance"] = str(Decimal(rows[4]["closing_balance"]) + 100)
    return rows


def _opposite_sides(rows: Rows) -> Rows:
    """Row 1 (a debit-normal account) and row 2 (credit-normal) both grow 100.00 -> 120.00, each on its side."""
    rows[0].update(opening_balance="100.00", debit="30.00", credit="10.00", closing_balance="120.00")
    rows[1].update(opening_balance="100.00", debit="10.00", credit="30.00", closing_balance="120.00")
    return rows


CASES = [
    # accepted, with the documented normalisation
    Case("header only", PREMIUMS, Accepted("nothing happened: 0 rows", rows=0), rows=lambda rows: []),
    Case("UTF-8 without BOM", PARTIES, Accepted("none", column="party_name", value=NAME), _set(1, party_name=NAME)),
    Case(
        "UTF-8 with BOM",
        PARTIES,
        Accepted("BOM dropped", column="party_name", value=NAME),
        _set(1, party_name=NAME),
        encoding="utf-8-sig",
    ),
    Case(
        "GBK",
        PARTIES,
        Accepted("transcoded to UTF-8", column="party_name", value=NAME),
        _set(1, party_name=NAME),
        encoding="gbk",
    ),
    Case(
        "LF line endings, no final newline",
        PREMIUMS,
        Accepted("none", column="amount", row=5, value=Decimal("412.34")),
        text=lambda text: text.replace("\r\n", "\n").rstrip("\n"),
    ),
    Case(
        "thousands separators (quoted)",
        PREMIUMS,
        Accepted("1,234.50 -> 1234.50", column="amount", row=5, value=Decimal("1234.50")),
        _set(5, amount="1,234.50"),
    ),
    Case(
        "full-width digits",
        PREMIUMS,
        Accepted("１２３４.５０ -> 1234.50", column="amount", row=5, value=Decimal("1234.50")),
        _set(5, amount="１２３４.５０"),
    ),
    Case(
        "full-width minus, point and comma",
        PREMIUMS,
        Accepted("－１，２１２．３４ -> -1212.34", column="amount", row=3, value=Decimal("-1212.34")),
        _set(3, amount="－１，２１２．３４"),
    ),
    Case(
        "thousands separator in an integer",
        PRODUCTS,
        Accepted("1,095 -> 1095", column="term_days", row=2, value=1095),
        _set(2, term_days="1,095"),
    ),
    Case(
        "money 412.340 (zero third decimal)",
        PREMIUMS,
        Accepted("exact to the fen: 412.34", column="amount", row=5, value=Decimal("412.34")),
        _set(5, amount="412.340"),
    ),
    Case(
        "NULL spelled NULL (nullable)",
        PARTIES,
        Accepted("NULL -> null", column="valid_to", row=2, value=None),
        _set(2, valid_to="NULL"),
    ),
    Case(
        "NULL spelled \\N (nullable)",
        PARTIES,
        Accepted("\\N -> null", column="valid_to", row=2, value=None),
        _set(2, valid_to="\\N"),
    ),
    Case(
        "NULL as empty field (nullable)",
        PARTIES,
        Accepted("empty -> null", column="valid_to", row=2, value=None),
        _set(2, valid_to=""),
    ),
    Case(
        "Parquet with text numbers",
        PREMIUMS,
        Accepted("same normalisations as CSV", column="amount", row=5, value=Decimal("1234.50")),
        _set(5, amount="1,234.50"),
        parquet=True,
    ),
    Case(
        "Parquet typed as the contract",
        PREMIUMS,
        Accepted("read typed", column="amount", row=5, value=Decimal("1234.50")),
        _set(5, amount="1234.50"),
        parquet=True,
        arrow=_typed_as(PREMIUMS),
    ),
    # rejected: header and file
    Case(
        "missing column",
        PREMIUMS,
        Rejected("missing column", None, "amount"),
        columns=lambda names: [n for n in names if n != "amount"],
    ),
    Case(
        "extra column",
        PREMIUMS,
        Rejected("unexpected column", None, "remark"),
        columns=lambda names: [*names, "remark"],
    ),
    Case(
        "renamed column",
        PREMIUMS,
        Rejected("missing column", None, "amount"),
        text=lambda text: text.replace(",amount", ",amt", 1),
    ),
    Case(
        "duplicated column",
        PREMIUMS,
        Rejected("duplicate column", None, "amount"),
        columns=lambda names: [*names, "amount"],
    ),
    Case(
        "Parquet missing a column",
        PREMIUMS,
        Rejected("missing column", None, "amount"),
        rows=lambda rows: [{k: v for k, v in row.items() if k != "amount"} for row in rows],
        parquet=True,
    ),
    Case("empty file (0 bytes)", PREMIUMS, Rejected("empty file", None, None), text=lambda text: ""),
    Case(
        "neither UTF-8 nor GBK",
        PREMIUMS,
        Rejected("encoding", None, None),
        raw_bytes=lambda data: data.replace(b"policy_id_00002", b"policy_id_\xff0002"),
    ),
    Case(
        "truncated: last line cut mid-row",
        PREMIUMS,
        Rejected("ragged row", 5, "amount"),
        text=_cut_last_line("4:00,412.34"),
    ),
    Case(
        "truncated: cut inside a quoted field",
        PREMIUMS,
        Rejected("unterminated quote", 5, "amount"),
        _set(5, amount="1,234.50"),
        text=_cut_last_line(",234.50"),
    ),
    Case(
        "ragged row with an extra field",
        PREMIUMS,
        Rejected("ragged row", 3, "(beyond the header)"),
        text=lambda text: text.replace("-212.34\r\n", "-212.34,x\r\n"),
    ),
    # rejected: types and values
    Case("text in money", PREMIUMS, Rejected("type money", 2, "amount"), _set(2, amount="abc")),
    Case("decimal comma 112,34", PREMIUMS, Rejected("type money", 2, "amount"), _set(2, amount="112,34")),
    Case("scientific notation money", PREMIUMS, Rejected("type money", 5, "amount"), _set(5, amount="4.1234E+2")),
    Case("money to three decimals", PREMIUMS, Rejected("money to the fen", 5, "amount"), _set(5, amount="412.345")),
    Case("bad date 2025-02-30", PRODUCTS, Rejected("type date", 2, "launched_on"), _set(2, launched_on="2025-02-30")),
    Case(
        "bad timestamp",
        PREMIUMS,
        Rejected("type timestamp", 4, "booked_at"),
        _set(4, booked_at="2025-04-31 08:03:00"),
    ),
    Case("non-integer in integer", PRODUCTS, Rejected("type integer", 3, "term_days"), _set(3, term_days="30.5")),
    Case("duplicate primary key", PREMIUMS, Rejected("duplicate key", 5, "transaction_id"), _duplicate_key),
    *(
        Case(
            f"NULL spelled {spelling or 'empty'} (not nullable)",
            PREMIUMS,
            Rejected("not null", 2, "policy_id"),
            _set(2, policy_id=spelling),
        )
        for spelling in ("", "NULL", "\\N")
    ),
    Case(
        "unknown transaction type",
        PREMIUMS,
        Rejected(TYPES_RULE, 1, "transaction_type"),
        _set(1, transaction_type="rebate"),
    ),
    Case(
        "unknown line of business",
        PRODUCTS,
        Rejected("allowed values (health, accident, credit, surety)", 2, "line_of_business"),
        _set(2, line_of_business="life"),
    ),
    # rejected: partition and row rules of the contract
    Case(
        "event after the quarter end",
        PREMIUMS,
        Rejected("inside partition 2025Q2 (2025-04-01 to 2025-06-30, CST)", 3, "booked_at"),
        _set(3, booked_at="2025-07-01 00:00:01"),
    ),
    Case(
        "event before the quarter",
        PREMIUMS,
        Rejected("inside partition 2025Q2 (2025-04-01 to 2025-06-30, CST)", 3, "booked_at"),
        _set(3, booked_at="2025-03-31 23:59:59"),
    ),
    Case(
        "snapshot date after the quarter end",
        PRODUCTS,
        Rejected("launched by quarter end (launched_on <= 2025-06-30)", 1, "launched_on"),
        _set(1, launched_on="2025-07-01"),
    ),
    Case("negative written premium", PREMIUMS, Rejected(SIGN_RULE, 1, "amount"), _set(1, amount="-12.34")),
    Case("positive refund", PREMIUMS, Rejected(SIGN_RULE, 4, "amount"), _set(4, amount="312.34")),
    Case(
        "accident after the report",
        CLAIMS,
        Rejected("accident before report (accident_date <= reported_at)", 2, "accident_date"),
        _set(2, accident_date="2025-04-02"),
    ),
    Case(
        "cover ends before it starts",
        POLICIES,
        Rejected("cover starts before it ends (start_date <= end_date)", 1, "start_date"),
        _set(1, end_date="2025-03-31"),
    ),
    Case(
        "trial balance month: debits ≠ credits",
        TRIAL_BALANCE,
        Rejected("debits equal credits (sum of debit = sum of credit per month_end)", 4, "debit"),
        _unbalanced_may,
    ),
]

# Parquet typed as the contract (as `regwh generate --format parquet` writes it) is read typed: the same rules
# reject the same rows; a null is a null; money of another type is read as text and checked to the fen.
TYPED_AS_CSV = ("unknown transaction type", "event after the quarter end", "negative written premium")
CASES += [
    *(
        replace(case, id=f"typed Parquet: {case.id}", parquet=True, arrow=_typed_as(case.table))
        for case in CASES
        if case.id in TYPED_AS_CSV
    ),
    Case(
        "typed Parquet: null policy",
        PREMIUMS,
        Rejected("not null", 2, "policy_id"),
        _set(2, policy_id=None),
        parquet=True,
        arrow=_typed_as(PREMIUMS),
    ),
    Case(
        "Parquet money as float to three decimals",
        PREMIUMS,
        Rejected("money to the fen", 5, "amount"),
        _set(5, amount="412.345"),
        parquet=True,
        arrow=_typed_as(PREMIUMS, amount=pa.float64()),
    ),
]


def _landing(home: Path) -> Path:
    return settings.landing_dir(home)


def _extract(home: Path, table: Table, quarter: Period = Q):
    return extract_partition(table, quarter, _landing(home), settings.raw_dir(home), b"k", home)


def _raw_rows(output: Path) -> list[tuple]:
    return duckdb.sql(f"select * from read_parquet('{output}')").fetchall()


def _typed(output: Path, column: str, row: int) -> object:
    return duckdb.sql(f"select {column} from read_parquet('{output}')").fetchall()[row - 1][0]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_delivery(home: Path, case: Case) -> None:
    path = case.deliver(_landing(home))
    delivered = path.read_bytes()
    expect = case.expect
    if isinstance(expect, Accepted):
        result = _extract(home, case.table)
        written = duckdb.sql(f"select count(*) from read_parquet('{result.output}')").fetchall()[0][0]
        assert result.rows == written == expect.rows
        if expect.column:
            assert _typed(result.output, expect.column, expect.row) == expect.value
        OUTCOMES.append((case.id, path.name, "accepted", expect.normalisation, expect.rows - written))
        return
    with pytest.raises(LandingError) as caught:
        _extract(home, case.table)
    error = caught.value
    assert (error.file, error.row, error.column, error.rule) == (path, expect.row, expect.column, expect.rule)
    assert not raw_partition_path(settings.raw_dir(home), case.table, Q).exists()
    assert not list(settings.raw_dir(home).rglob("*.staged"))  # nor a copy of it checked and refused
    folder = quarantine(error, settings.quarantine_dir(home))
    assert not path.exists()
    assert (folder / path.name).read_bytes() == delivered  # intact, so no row is lost
    note = (folder / f"{path.name}.error.txt").read_text(encoding="utf-8")
    assert f"rule: {expect.rule}\n" in note and f"row: {expect.row or '-'}\n" in note
    assert f"column: {expect.column or '-'}\n" in note
    what = f"{expect.rule} (row {expect.row}, column {expect.column})"
    OUTCOMES.append((case.id, path.name, "rejected", what, 0))


def _outcome(home: Path, table: Table) -> list[tuple] | tuple:
    """The raw rows written, in order, or what the LandingError names (file, row, column, rule, detail)."""
    try:
        return _raw_rows(_extract(home, table).output)
    except LandingError as error:
        return (error.file, error.row, error.column, error.rule, error.detail)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_fast_path_agrees_with_the_slow_path(home: Path, case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """The one-scan fast path writes a delivery only if the rule-by-rule slow path accepts it, with the same rows;
    a delivery it refuses gets the slow path's exact error."""
    case.deliver(_landing(home))
    fast_path = ingest._copy_if_valid
    written: list[int | None] = []
    monkeypatch.setattr(ingest, "_copy_if_valid", lambda *args: written.append(fast_path(*args)) or written[-1])
    both = _outcome(home, case.table)
    monkeypatch.setattr(ingest, "_copy_if_valid", lambda *args: None)
    slow_only = _outcome(home, case.table)
    assert both == slow_only
    if written:  # not reached when the header or the encoding is refused
        assert (written[0] is None) == isinstance(case.expect, Rejected)
        assert written[0] is None or written[0] == len(slow_only)
    else:
        assert isinstance(case.expect, Rejected)


def test_a_delivery_that_is_its_raw_partition_is_copied(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Typed Parquet without personal data lands byte for byte; row groups larger than DuckDB scans a thread at a
    time, or personal data to tokenise, and it is written again (the same rows)."""
    path = Case("typed", PREMIUMS, Accepted(""), parquet=True, arrow=_typed_as(PREMIUMS)).deliver(_landing(home))
    copied = _extract(home, PREMIUMS).output
    assert copied.read_bytes() == path.read_bytes()
    rows = _raw_rows(copied)
    monkeypatch.setattr(ingest, "VERBATIM_ROW_GROUP_ROWS", len(rows) - 1)
    rewritten = _extract(home, PREMIUMS).output
    assert rewritten.read_bytes() != path.read_bytes() and _raw_rows(rewritten) == rows
    monkeypatch.undo()
    path = Case("typed", MEMBERS, Accepted(""), parquet=True, arrow=_typed_as(MEMBERS)).deliver(_landing(home))
    tokenised = _raw_rows(_extract(home, MEMBERS).output)
    assert tokenised != duckdb.sql(f"select * from read_parquet('{path}')").fetchall()
    assert all(row[MEMBERS.column_names.index("name")].startswith("tok_") for row in tokenised)


def _deliver(home: Path, table: Table, rows: Rows, quarter: Period = Q) -> Path:
    path = _landing(home) / table.system / f"{table.file_stem(quarter.label)}.csv"
    return write_csv(path, rows, table.column_names)


def test_identical_second_delivery_is_idempotent(home: Path) -> None:
    path = _deliver(home, PREMIUMS, sample_rows(PREMIUMS, Q))
    first = _extract(home, PREMIUMS)
    before = (file_sha256(path), _raw_rows(first.output))
    second = _extract(home, PREMIUMS)
    assert (second.source_sha256, _raw_rows(second.output)) == before
    OUTCOMES.append(("same file delivered twice", path.name, "accepted", "idempotent: same sha256, same rows", 0))


def test_different_second_delivery_replaces_the_partition(home: Path) -> None:
    path = _deliver(home, PREMIUMS, sample_rows(PREMIUMS, Q))
    _extract(home, PREMIUMS)
    corrected = sample_rows(PREMIUMS, Q, rows=3)
    corrected[0]["amount"] = "99.00"
    _deliver(home, PREMIUMS, corrected)
    result = _extract(home, PREMIUMS)
    assert result.rows == 3
    amounts = [row[PREMIUMS.column_names.index("amount")] for row in _raw_rows(result.output)]
    assert amounts == [Decimal("99.00"), Decimal("112.34"), Decimal("-212.34")]
    OUTCOMES.append(("new file for an extracted quarter", path.name, "accepted", "replaces the partition", 0))


def test_late_delivery_for_a_closed_quarter_touches_only_its_partition(home: Path) -> None:
    q1 = Period.parse("2025Q1")
    _deliver(home, PREMIUMS, sample_rows(PREMIUMS, q1), q1)
    _deliver(home, PREMIUMS, sample_rows(PREMIUMS, Q))
    _extract(home, PREMIUMS, q1)
    q2_bytes = _extract(home, PREMIUMS).output.read_bytes()
    late = sample_rows(PREMIUMS, q1, rows=6)
    path = _deliver(home, PREMIUMS, late, q1)
    result = _extract(home, PREMIUMS, q1)
    assert result.rows == 6
    assert raw_partition_path(settings.raw_dir(home), PREMIUMS, Q).read_bytes() == q2_bytes
    what = "raw 2025Q1 replaced, 2025Q2 untouched; published package stays, restate to publish"
    OUTCOMES.append(("late delivery for a closed quarter", path.name, "accepted", what, 0))


@dataclass(frozen=True)
class CrossCase:
    """Good deliveries of related tables, one changed; ``check_cross_table`` finds ``rule`` at ``row``/``column``."""

    id: str
    table: Table
    references: tuple[Table, ...]
    change: Callable[[Rows], Rows]
    rule: str | None
    row: int | None = None
    column: str | None = None


CROSS_CASES = [
    CrossCase(
        "claim before its policy starts",
        CLAIMS,
        (POLICIES,),
        _set(2, accident_date="2025-03-15"),
        "claim within cover (accident_date >= policy/policies.start_date)",
        2,
        "accident_date",
    ),
    CrossCase(
        "payment before the report",
        PAYMENTS,
        (CLAIMS,),
        _set(3, paid_at="2025-04-01 07:00:00"),
        "payment after report (paid_at >= claims/claims.reported_at)",
        3,
        "paid_at",
    ),
    CrossCase(
        "related party missing from the register",
        PARTY_TRANSACTIONS,
        (PARTIES,),
        _set(4, party_id="party_id_00099"),
        "party in the register (party_id in related_party/parties)",
        4,
        "party_id",
    ),
    CrossCase(
        "product missing from the catalogue",
        POLICIES,
        (PRODUCTS,),
        _set(1, product_code="product_code_00042"),
        "product in the catalogue (product_code in policy/products)",
        1,
        "product_code",
    ),
    CrossCase(
        "trial balance does not roll forward",
        TRIAL_BALANCE,
        (ACCOUNTS,),
        _set(2, closing_balance="112.35"),
        "closing rolls forward (closing_balance = opening_balance + debit - credit, "
        "on the side of ledger/chart_of_accounts.normal_balance)",
        2,
        "closing_balance",
    ),
    CrossCase("consistent tables", CLAIMS, (POLICIES,), lambda rows: rows, None),
    CrossCase(
        "credit-normal account rolls forward on its side",
        TRIAL_BALANCE,
        (ACCOUNTS,),
        _opposite_sides,
        None,
    ),
]


@pytest.mark.parametrize("case", CROSS_CASES, ids=[case.id for case in CROSS_CASES])
def test_cross_table_rule(home: Path, case: CrossCase) -> None:
    for reference in case.references:
        _deliver(home, reference, sample_rows(reference, Q))
        _extract(home, reference)
    path = _deliver(home, case.table, case.change(sample_rows(case.table, Q)))
    output = _extract(home, case.table).output
    findings = check_cross_table(settings.raw_dir(home), Q)
    if case.rule is None:
        assert findings == []
        OUTCOMES.append((case.id, path.name, "accepted", "no cross-table finding", 0))
        return
    assert [(f.file, f.row, f.column, f.rule) for f in findings] == [(output, case.row, case.column, case.rule)]
    what = f"cross-table finding: {case.rule} (row {case.row}, {case.column})"
    OUTCOMES.append((case.id, path.name, "finding", what, 0))


def test_corpus_is_large_enough() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 25


def test_zz_report() -> None:
    """Print the outcomes of the cases that ran (and write them to ``$TMPDIR/bad_delivery_report.md``)."""
    lines = ["| case | file | outcome | normalisation or rule | rows lost |", "|---|---|---|---|---|"]
    lines += [f"| {case} | {file} | {outcome} | {what} | {lost} |" for case, file, outcome, what, lost in OUTCOMES]
    counts = {o: sum(1 for row in OUTCOMES if row[2] == o) for o in ("accepted", "rejected", "finding")}
    lines.append(
        f"\n{len(OUTCOMES)} cases: {counts['accepted']} accepted, {counts['rejected']} rejected, "
        f"{counts['finding']} cross-table findings; rows lost: {sum(row[4] for row in OUTCOMES)}"
    )
    report = "\n".join(lines)
    (Path(tempfile.gettempdir()) / "bad_delivery_report.md").write_text(report + "\n", encoding="utf-8")
    print(report)
    assert sum(row[4] for row in OUTCOMES) == 0
