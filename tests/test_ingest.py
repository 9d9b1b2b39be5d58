"""Extraction of one delivery: accepted encodings and formats, and clear errors that lose nothing."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration import settings
from orchestration.generator.writer import conform
from orchestration.ingest import LandingError, extract_partition, quarantine, token_secret
from orchestration.landing_contract import get_table
from orchestration.periods import Period
from tests.deliveries import sample_rows, write_csv

Q = Period.parse("2025Q2")
PREMIUMS = get_table("policy", "premium_transactions")
MEMBERS = get_table("policy", "members")
PARTIES = get_table("related_party", "parties")


def _extract(home: Path, table=PREMIUMS):
    return extract_partition(table, Q, settings.landing_dir(home), settings.raw_dir(home), b"k", home)


def _deliver(home: Path, table, rows, columns=None, encoding="utf-8") -> Path:
    path = settings.landing_dir(home) / table.system / f"{table.name}_{Q.label}.csv"
    return write_csv(path, rows, columns or table.column_names, encoding)


def test_valid_csv_becomes_typed_parquet_with_decimal_money(home: Path) -> None:
    _deliver(home, PREMIUMS, sample_rows(PREMIUMS, Q))
    result = _extract(home)
    assert result.rows == 5
    schema = pq.read_schema(result.output)
    assert schema.field("amount").type == pa.decimal128(18, 2)
    assert schema.field("booked_at").type == pa.timestamp("us")
    total = duckdb.sql(f"select sum(amount) from read_parquet('{result.output}')").fetchall()[0][0]
    assert str(total) == "12.34"  # 12.34 + 112.34 - 212.34 - 312.34 + 412.34 (cancellation and refund negative)


def test_rerun_replaces_the_partition_never_duplicates(home: Path) -> None:
    _deliver(home, PREMIUMS, sample_rows(PREMIUMS, Q))
    _extract(home)
    result = _extract(home)
    assert duckdb.sql(f"select count(*) from read_parquet('{result.output}')").fetchall()[0][0] == 5


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_utf8_with_or_without_bom_and_gbk_are_accepted(home: Path, encoding: str) -> None:
    rows = sample_rows(PARTIES, Q)
    rows[0]["party_name"] = "金桔保险经纪（北京）有限公司"
    _deliver(home, PARTIES, rows, encoding=encoding)
    result = _extract(home, PARTIES)
    names = duckdb.sql(f"select party_name from read_parquet('{result.output}')").fetchall()
    assert names[0][0] == "金桔保险经纪（北京）有限公司"


def test_parquet_delivery_is_accepted(home: Path) -> None:
    path = settings.landing_dir(home) / "policy" / f"premium_transactions_{Q.label}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(sample_rows(PREMIUMS, Q)), path)
    assert _extract(home).rows == 5


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_personal_data_is_tokenised_at_extraction(home: Path, fmt: str) -> None:
    rows = sample_rows(MEMBERS, Q)
    rows[0].update(
        name="张三", id_card_no="11010519491231002X", phone="13800138000", bank_account="6222020200112233445"
    )
    if fmt == "csv":
        _deliver(home, MEMBERS, rows)
    else:  # typed, as ``regwh generate --format parquet`` writes it
        path = settings.landing_dir(home) / MEMBERS.system / f"{MEMBERS.name}_{Q.label}.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(conform(MEMBERS, pa.Table.from_pylist(rows)), path)
    result = _extract(home, MEMBERS)
    raw = result.output.read_bytes()
    for plain in ("张三", "11010519491231002X", "13800138000", "6222020200112233445"):
        assert plain.encode() not in raw
    token = duckdb.sql(f"select id_card_no from read_parquet('{result.output}') limit 1").fetchall()[0][0]
    assert token.startswith("tok_") and len(token) == 36


def test_a_value_has_one_token_per_key(home: Path) -> None:
    """Tokens join: the same value gets the same token in every row and delivery under one key, another under
    another key, and different values different tokens."""
    rows = sample_rows(MEMBERS, Q)[:3]
    rows[0]["phone"] = rows[1]["phone"] = "13800138000"
    rows[2]["phone"] = "13900139000"
    _deliver(home, MEMBERS, rows)

    def tokens(key: bytes) -> list[str]:
        raw = extract_partition(MEMBERS, Q, settings.landing_dir(home), settings.raw_dir(home), key, home).output
        return [row[0] for row in duckdb.sql(f"select phone from read_parquet('{raw}')").fetchall()]

    first, again, other = tokens(b"k"), tokens(b"k"), tokens(b"another key")
    assert first == again and first[0] == first[1] != first[2]
    assert set(first).isdisjoint(other)
    # the documented scheme: SHA-256 of the keyed secret followed by the value, its first 128 bits in hex
    digest = hashlib.sha256((token_secret(b"k") + "13800138000").encode()).hexdigest()
    assert first[0] == "tok_" + digest[:32] and len(token_secret(b"k")) == 32


def _error(home: Path, table=PREMIUMS) -> LandingError:
    with pytest.raises(LandingError) as caught:
        _extract(home, table)
    return caught.value


def test_missing_column_names_file_and_column(home: Path) -> None:
    path = _deliver(
        home, PREMIUMS, sample_rows(PREMIUMS, Q), columns=[c for c in PREMIUMS.column_names if c != "amount"]
    )
    error = _error(home)
    assert (error.file, error.column, error.rule) == (path, "amount", "missing column")


def test_wrong_type_names_row_and_column(home: Path) -> None:
    rows = sample_rows(PREMIUMS, Q)
    rows[3]["amount"] = "12,5O"
    _deliver(home, PREMIUMS, rows)
    error = _error(home)
    assert (error.row, error.column, error.rule) == (4, "amount", "type money")
    assert "row 4" in str(error) and "premium_transactions_2025Q2.csv" in str(error)


def test_duplicate_key_names_the_second_row(home: Path) -> None:
    rows = sample_rows(PREMIUMS, Q)
    rows[4]["transaction_id"] = rows[1]["transaction_id"]
    _deliver(home, PREMIUMS, rows)
    error = _error(home)
    assert (error.row, error.column, error.rule) == (5, "transaction_id", "duplicate key")


def test_row_outside_the_quarter_is_refused(home: Path) -> None:
    rows = sample_rows(PREMIUMS, Q)
    rows[2]["booked_at"] = "2025-07-01 00:00:01"
    _deliver(home, PREMIUMS, rows)
    error = _error(home)
    assert (error.row, error.column) == (3, "booked_at")
    assert error.rule.startswith("inside partition 2025Q2")


def test_unknown_code_is_refused(home: Path) -> None:
    rows = sample_rows(PREMIUMS, Q)
    rows[0]["transaction_type"] = "rebate"
    _deliver(home, PREMIUMS, rows)
    error = _error(home)
    assert (error.row, error.column) == (1, "transaction_type")


def test_quarantine_keeps_the_delivery_intact_with_the_error(home: Path) -> None:
    rows = sample_rows(PREMIUMS, Q)
    rows[1]["amount"] = "abc"
    path = _deliver(home, PREMIUMS, rows)
    original = path.read_bytes()
    folder = quarantine(_error(home), settings.quarantine_dir(home))
    assert not path.exists()
    assert (folder / path.name).read_bytes() == original
    note = (folder / f"{path.name}.error.txt").read_text()
    assert "row: 2" in note and "column: amount" in note and "rule: type money" in note


def test_a_new_home_gets_one_key_however_many_extractions_ask_at_once(tmp_path: Path, monkeypatch) -> None:
    """Partitions are extracted side by side: the first to ask creates the home's key, the others read that key
    (whole: writing a key is slowed down here, and every thread asks at the same moment)."""
    monkeypatch.delenv("REGWH_PII_KEY", raising=False)
    token_hex = secrets.token_hex

    def slow_token_hex(length: int) -> str:
        time.sleep(0.05)
        return token_hex(length)

    monkeypatch.setattr(settings.secrets, "token_hex", slow_token_hex)
    start = threading.Barrier(8)

    def key(_: int) -> bytes:
        start.wait()
        return settings.pii_key(tmp_path)

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(key, range(8)))
    assert len(keys) == 1 and len(next(iter(keys))) == 64
    assert [path.name for path in tmp_path.iterdir()] == [".pii_key"]
