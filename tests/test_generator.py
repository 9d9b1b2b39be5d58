"""The demo data generator: files per contract, determinism, and every calibrated figure recomputed from the
landing files with DuckDB, independently of the generator."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv
import pyarrow.parquet as pq
import pytest
import yaml

from orchestration.defs.schedules import complete_delivery_sensor
from orchestration.generator import generate
from orchestration.generator.money import allocate, allocate_positive
from orchestration.generator.timeline import Window
from orchestration.generator.writer import ARROW_TYPES, Landing
from orchestration.landing_contract import get_table, load_contracts, system_tables, systems
from orchestration.periods import Period, quarter_range
from orchestration.reserving import LineAssumptions, build_triangle, estimate_ibnr

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "scenarios" / "seed_2025h1.yaml"
SCALE = 0.01
ENCODING = {"ledger": "utf-8-sig", "related_party": "gbk"}


def _quarters(label: str) -> list[str]:
    period = Period.parse(label)
    first = period.quarters[0]
    for _ in range(12):
        first = first.previous_quarter()
    return [q.label for q in quarter_range(first, period)]


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("seed")
    return home / "landing", generate(SEED, home, scale=SCALE, seed=7)


def _connect(landing: Path, work: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB view per table over all its quarter files (GBK files transcoded to UTF-8 first)."""
    con = duckdb.connect()
    for table in load_contracts():
        if table.key == "investments/holdings":
            source = f"read_parquet('{landing / table.system}/{table.name}_*.parquet')"
        else:
            files = sorted((landing / table.system).glob(f"{table.name}_*.csv"))
            if table.system == "related_party":
                target = work / "utf8" / table.system
                target.mkdir(parents=True, exist_ok=True)
                for file in files:
                    (target / file.name).write_text(file.read_bytes().decode("gbk"), encoding="utf-8")
                files = sorted(target.glob(f"{table.name}_*.csv"))
            columns = {c.name: c.sql_type for c in table.columns}
            paths = [str(f) for f in (files[-1:] if table.kind == "snapshot" else files)]
            source = f"read_csv({paths}, header=true, columns={columns})"
        con.execute(f"CREATE VIEW {table.system}_{table.name} AS SELECT * FROM {source}")
    return con


def _metrics(con: duckdb.DuckDBPyConnection, start: date, end: date) -> dict[str, float]:
    """The calibrated metrics, by the warehouse's definitions, for [start, end] (CST, inclusive)."""
    lo, hi = f"TIMESTAMP '{start}'", f"TIMESTAMP '{end + timedelta(days=1)}'"
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    premium = f"FROM policy_premium_transactions t WHERE t.booked_at >= {lo} AND t.booked_at < {hi}"
    health = (
        "FROM policy_premium_transactions t JOIN policy_policies p USING (policy_id) "
        "JOIN policy_products d USING (product_code) "
        f"WHERE d.line_of_business = 'health' AND t.booked_at >= {lo} AND t.booked_at < {hi}"
    )
    paid = f"FROM claims_claim_payments WHERE paid_at >= {lo} AND paid_at < {hi}"
    reported = f"FROM claims_claims WHERE reported_at >= {lo} AND reported_at < {hi}"
    settled = f"""
        WITH closed AS (SELECT claim_id, max(event_at) AS closed_at FROM claims_claim_events
                        WHERE event_type = 'closed' AND event_at >= {lo} AND event_at < {hi} GROUP BY claim_id),
             docs AS (SELECT claim_id, max(event_at) AS docs_at FROM claims_claim_events
                      WHERE event_type = 'documents_complete' GROUP BY claim_id),
             last_paid AS (SELECT claim_id, max(paid_at) AS paid_at FROM claims_claim_payments GROUP BY claim_id)
        SELECT 100.0 * avg(CASE WHEN closed_at - docs_at <= INTERVAL 24 HOUR THEN 1 ELSE 0 END),
               min(epoch(paid_at) - epoch(docs_at))
        FROM closed JOIN docs USING (claim_id) LEFT JOIN last_paid USING (claim_id)"""
    one_day, fastest = con.execute(settled).fetchone()
    rpt = f"FROM related_party_transactions WHERE executed_on BETWEEN DATE '{start}' AND DATE '{end}'"
    return {
        "premium_income_original": float(one(f"SELECT sum(amount) {premium}")) / 10_000,
        "premium_income_health": float(one(f"SELECT sum(amount) {health}")) / 10_000,
        "premium_share_health": float(one(f"SELECT sum(amount) {health}"))
        / float(one(f"SELECT sum(amount) {premium}"))
        * 100,
        "claims_paid": float(one(f"SELECT sum(amount) {paid}")) / 10_000,
        "claims_count": one(f"SELECT count(DISTINCT claim_id) {paid}"),
        "online_report_rate": one(
            f"SELECT 100.0 * avg(CASE WHEN report_channel IN ('app','wechat','web') THEN 1 ELSE 0 END) {reported}"
        ),
        "one_day_settlement_rate": one_day,
        "fastest_settlement_seconds": fastest,
        "medical_advance_avg": float(
            one(f"SELECT sum(amount) / count(DISTINCT claim_id) {paid} AND payment_type = 'medical_advance'")
        )
        / 10_000,
        "members_end": one(
            f"""SELECT count(DISTINCT p.member_id) FROM policy_policies p
                WHERE p.start_date <= DATE '{end}' AND p.end_date >= DATE '{end}'
                AND NOT EXISTS (SELECT 1 FROM policy_premium_transactions c WHERE c.policy_id = p.policy_id
                                AND c.transaction_type = 'cancellation' AND c.booked_at < {hi})"""
        ),
        "rpt_count": one(f"SELECT count(*) {rpt}"),
        "rpt_amount": float(one(f"SELECT sum(amount) {rpt}")) / 10_000,
        "rpt_unified_agreements": one(
            "SELECT count(*) FROM related_party_unified_agreements "
            f"WHERE signed_on BETWEEN DATE '{start}' AND DATE '{end}'"
        ),
    }


def _check(measured: dict[str, float], targets: dict, scale: float) -> None:
    for code, value in measured.items():
        if code not in targets or value is None:
            continue
        target, tolerance = float(targets[code]["value"]), float(targets[code].get("tolerance", 0))
        if code in ("members_end", "claims_count"):
            assert value == round(target * scale), code
        else:
            assert abs(value - target) <= tolerance + 1e-9, (code, value, target)


def _verify(landing: Path, work: Path, scenario: dict, scale: float) -> None:
    con = _connect(landing, work)
    period = Period.parse(scenario["period"]["label"])
    _check(_metrics(con, period.start, period.end), scenario["targets"], scale)
    _check(_finance(con, period), scenario["targets"], scale)
    _check_ledger(con, period)
    for label, targets in (scenario.get("quarters") or {}).items():
        quarter = Period.parse(label)
        _check(_metrics(con, quarter.start, quarter.end), targets, scale)
    assert (
        con.execute(
            "SELECT count(*) FROM related_party_transactions t JOIN related_party_parties p USING (party_id) "
            "WHERE t.executed_on < p.valid_from OR t.executed_on > coalesce(p.valid_to, DATE '9999-12-31')"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute(
            f"SELECT count(*) FROM related_party_transactions WHERE amount >= 30000000 "
            f"AND executed_on BETWEEN DATE '{period.start}' AND DATE '{period.end}'"
        ).fetchone()[0]
        >= 1
    )
    unbalanced = con.execute(
        """SELECT count(*) FROM (
             SELECT month_end,
                    sum(CASE WHEN a.normal_balance = 'debit' THEN closing_balance ELSE -closing_balance END) AS gap
             FROM ledger_trial_balance t JOIN ledger_chart_of_accounts a USING (account_code) GROUP BY month_end)
           WHERE gap <> 0"""
    ).fetchone()[0]
    assert unbalanced == 0
    orphans = con.execute(
        "SELECT count(*) FROM claims_claims c LEFT JOIN policy_policies p USING (policy_id) "
        "WHERE p.policy_id IS NULL OR c.accident_date < p.start_date OR c.accident_date > p.end_date "
        "OR c.reported_at < c.accident_date"
    ).fetchone()[0]
    assert orphans == 0


def _upr_by_line(con: duckdb.DuckDBPyConnection, day: date) -> dict[str, Decimal]:
    """Unearned premium reserve (CNY) per line at ``day``, per policy rounded to 1e-6 CNY (as the generator's
    ledger; int_policies__quarter_end_upr rounds per cohort of equal cover, within the ledger's fen)."""
    rows = con.execute(
        f"""WITH cancelled AS (SELECT policy_id, min(CAST(booked_at AS DATE)) AS d FROM policy_premium_transactions
                               WHERE transaction_type = 'cancellation' GROUP BY policy_id),
                 written AS (SELECT policy_id, sum(amount) AS w FROM policy_premium_transactions
                             WHERE CAST(booked_at AS DATE) <= DATE '{day}' GROUP BY policy_id)
            SELECT d.line_of_business, sum(CAST(w * CASE WHEN DATE '{day}' < start_date THEN end_date - start_date + 1
                                                     ELSE end_date - DATE '{day}' END
                                            / (end_date - start_date + 1) AS DECIMAL(20, 6)))
            FROM policy_policies JOIN written USING (policy_id) JOIN policy_products d USING (product_code)
            LEFT JOIN cancelled USING (policy_id)
            WHERE CAST(issued_at AS DATE) <= DATE '{day}' AND end_date > DATE '{day}'
              AND (cancelled.d IS NULL OR cancelled.d > DATE '{day}')
            GROUP BY d.line_of_business"""
    ).fetchall()
    return {line: Decimal(amount) for line, amount in rows}


def _upr(con: duckdb.DuckDBPyConnection, day: date) -> float:
    """Unearned premium reserve (CNY) at ``day``."""
    return float(sum(_upr_by_line(con, day).values()))


def _earned(con: duckdb.DuckDBPyConnection, day: date) -> list[tuple[str, date, float]]:
    """Earned premium (CNY) per line and quarter up to ``day``'s, as fct_premiums: written in the quarter + UPR at
    the previous quarter end - UPR at its end."""
    written = {
        (line, origin): Decimal(amount)
        for line, origin, amount in con.execute(
            f"""SELECT d.line_of_business, CAST(date_trunc('quarter', CAST(t.booked_at AS DATE)) AS DATE),
                       sum(t.amount)
                FROM policy_premium_transactions t JOIN policy_policies p USING (policy_id)
                JOIN policy_products d USING (product_code) WHERE CAST(t.booked_at AS DATE) <= DATE '{day}'
                GROUP BY ALL"""
        ).fetchall()
    }
    lines = {line for line, _ in written}
    opening: dict[str, Decimal] = {}
    earned = []
    for quarter in quarter_range(Period.quarter_of(min(o for _, o in written)), Period.quarter_of(day)):
        closing = _upr_by_line(con, quarter.end)
        for line in lines:
            amount = written.get((line, quarter.start), 0) + opening.get(line, 0) - closing.get(line, 0)
            earned.append((line, quarter.start, float(amount)))
        opening = closing
    return earned


def _ocr(con: duckdb.DuckDBPyConnection, day: date) -> float:
    """Outstanding claims reserve (CNY) at ``day``: case + IBNR (orchestration.reserving, earned premium as the
    Bornhuetter-Ferguson exposure) + ULAE, per line."""
    with (ROOT / "dbt_project" / "seeds" / "reserving_assumptions.csv").open(encoding="utf-8") as handle:
        assumptions = {
            r["line_of_business"]: LineAssumptions(
                r["line_of_business"],
                int(r["min_origin_periods"]),
                float(r["apriori_loss_ratio"]),
                float(r["ulae_ratio"]),
            )
            for r in csv.DictReader(handle)
        }
    con.execute(
        "CREATE OR REPLACE TEMP VIEW claim_line AS SELECT c.claim_id, c.accident_date, d.line_of_business AS line "
        "FROM claims_claims c JOIN policy_policies p USING (policy_id) JOIN policy_products d USING (product_code)"
    )
    movements = con.execute(
        f"""SELECT line, accident_date AS origin_date, CAST(paid_at AS DATE) AS development_date,
                   CAST(amount AS DOUBLE) AS amount
            FROM claims_claim_payments JOIN claim_line USING (claim_id) WHERE CAST(paid_at AS DATE) <= DATE '{day}'
            UNION ALL
            SELECT line, accident_date, CAST(booked_at AS DATE), CAST(amount AS DOUBLE)
            FROM claims_case_reserve_movements JOIN claim_line USING (claim_id)
            WHERE CAST(booked_at AS DATE) <= DATE '{day}'"""
    ).df()
    exposure = pd.DataFrame(_earned(con, day), columns=["line", "origin", "amount"])
    case = dict(
        con.execute(
            f"SELECT line, sum(amount) FROM claims_case_reserve_movements JOIN claim_line USING (claim_id) "
            f"WHERE CAST(booked_at AS DATE) <= DATE '{day}' GROUP BY line"
        ).fetchall()
    )
    assert set(case) <= set(assumptions)
    ibnr = estimate_ibnr(build_triangle(movements, day), assumptions, exposure).groupby("line")["ibnr"].sum()
    total = Decimal(0)
    for line in assumptions:
        base = Decimal(case.get(line, 0)) + Decimal(repr(float(ibnr.get(line, 0.0)))).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
        total += base + Decimal(repr(assumptions[line].ulae_ratio * float(base))).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )
    return float(total)


def _mapping() -> dict[str, dict[str, str]]:
    with (ROOT / "dbt_project" / "seeds" / "chart_of_accounts_mapping.csv").open(encoding="utf-8") as handle:
        return {row["account_code"]: row for row in csv.DictReader(handle)}


def _finance(con: duckdb.DuckDBPyConnection, period: Period) -> dict[str, float]:
    """The finance figures by the warehouse's definitions at the period end, in wan CNY (yield in %)."""
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    end, start = period.end, period.start
    con.execute(
        "CREATE OR REPLACE TEMP VIEW tb AS SELECT t.*, a.account_type, a.normal_balance, "
        "CASE WHEN a.normal_balance = 'debit' THEN closing_balance ELSE -closing_balance END AS debit_balance "
        "FROM ledger_trial_balance t JOIN ledger_chart_of_accounts a USING (account_code)"
    )
    balance = lambda kind: float(  # noqa: E731
        one(
            f"SELECT sum(CASE WHEN normal_balance = 'debit' THEN closing_balance ELSE -closing_balance END) "
            f"* (CASE WHEN '{kind}' = 'asset' THEN 1 ELSE -1 END) FROM tb "
            f"WHERE month_end = DATE '{end}' AND account_type = '{kind}'"
        )
    )
    non_admitted = [code for code, row in _mapping().items() if row["admissibility"] == "non_admitted"]
    net = (
        "SELECT as_of_date, sum(CASE WHEN is_financing THEN -amount_cny ELSE amount_cny END) AS net "
        "FROM investments_holdings GROUP BY as_of_date"
    )
    points = con.execute(
        f"SELECT avg(net), count(*) FROM ({net}) WHERE as_of_date BETWEEN DATE '{start - timedelta(days=1)}' "
        f"AND DATE '{end}'"
    ).fetchone()
    income = one(
        "SELECT sum(CASE WHEN income_type IN ('impairment', 'financing_interest') THEN -amount ELSE amount END) "
        f"FROM investments_investment_income WHERE booked_on BETWEEN DATE '{start}' AND DATE '{end}'"
    )
    assets, liabilities = balance("asset"), balance("liability")
    excluded = float(
        one(
            f"SELECT sum(debit_balance) FROM tb WHERE month_end = DATE '{end}' "
            f"AND account_code IN {tuple(non_admitted)}"
        )
    )
    return {
        "unearned_premium_reserve": _upr(con, end) / 10_000,
        "outstanding_claims_reserve": _ocr(con, end) / 10_000,
        "total_assets": assets / 10_000,
        "total_liabilities": liabilities / 10_000,
        "net_assets": (assets - liabilities) / 10_000,
        "profit_before_tax": float(
            one(
                "SELECT sum(credit - debit) FROM tb WHERE account_type IN ('income', 'expense') "
                f"AND month_end BETWEEN DATE '{start}' AND DATE '{end}'"
            )
        )
        / 10_000,
        "investable_funds_net": float(one(f"SELECT net FROM ({net}) WHERE as_of_date = DATE '{end}'")) / 10_000,
        "comprehensive_investment_yield": float(income) / float(points[0]) * 100 if points[1] == 7 else None,
        "admitted_assets": (assets - excluded) / 10_000,
        "admitted_liabilities": liabilities / 10_000,
    }


def _check_ledger(con: duckdb.DuckDBPyConnection, period: Period) -> None:
    """Ledger mechanics, the mapping seed, and the reconciliations with the subledgers."""
    rolls = con.execute(
        """SELECT count(*) FROM tb WHERE closing_balance <> opening_balance
             + CASE WHEN normal_balance = 'debit' THEN debit - credit ELSE credit - debit END"""
    ).fetchone()[0]
    assert rolls == 0
    assert (
        con.execute(
            "SELECT count(*) FROM (SELECT month_end FROM tb GROUP BY 1 HAVING sum(debit) <> sum(credit))"
        ).fetchone()[0]
        == 0
    )
    chained = con.execute(
        """SELECT count(*) FROM (SELECT opening_balance, lag(closing_balance) OVER (PARTITION BY account_code
                                 ORDER BY month_end) AS previous FROM tb) WHERE opening_balance <> previous"""
    ).fetchone()[0]
    assert chained == 0
    mapping = _mapping()
    codes = {r[0] for r in con.execute("SELECT account_code FROM ledger_chart_of_accounts").fetchall()}
    assert codes == set(mapping)
    for row in mapping.values():
        assert row["statement"] in ("balance_sheet", "income_statement")
        assert re.fullmatch(r"[a-z][a-z0-9_]*", row["statement_line"])
        assert row["reconciles_with"] in (
            "",
            "fct_reserves",
            "fct_investments",
            "fct_premiums",
            "fct_claim_payments",
            "fct_investment_income",
        )
        assert row["admissibility"] in (("admitted", "non_admitted") if row["statement"] == "balance_sheet" else ("",))
        if row["admissibility"] == "non_admitted":  # every exclusion cites its article
            assert row["rule_reference"]
    closing = lambda code, day: float(  # noqa: E731
        con.execute(
            f"SELECT closing_balance FROM tb WHERE account_code = '{code}' AND month_end = DATE '{day}'"
        ).fetchone()[0]
    )
    for quarter in period.quarters:
        assert closing("2701", quarter.end) == round(_upr(con, quarter.end), 2), quarter
        assert closing("2702", quarter.end) == round(_ocr(con, quarter.end), 2), quarter
    invest = [c for c, r in mapping.items() if r["reconciles_with"] == "fct_investments"]
    gaps = con.execute(
        f"""WITH ledger AS (SELECT month_end,
                                   sum(CASE WHEN account_type = 'asset' THEN debit_balance ELSE 0 END) AS held,
                                   sum(CASE WHEN account_type = 'liability' THEN -debit_balance ELSE 0 END) AS financed
                            FROM tb WHERE account_code IN {tuple(invest)} GROUP BY month_end),
                 custody AS (SELECT as_of_date AS month_end,
                                    sum(CASE WHEN is_financing THEN 0 ELSE amount_cny END) AS held,
                                    sum(CASE WHEN is_financing THEN amount_cny ELSE 0 END) AS financed
                             FROM investments_holdings GROUP BY as_of_date)
            SELECT count(*) FROM ledger FULL JOIN custody USING (month_end)
            WHERE coalesce(ledger.held, 0) <> coalesce(custody.held, 0)
               OR coalesce(ledger.financed, 0) <> coalesce(custody.financed, 0)"""
    ).fetchone()[0]
    assert gaps == 0
    # The expense sub-ledger splits commission and general expenses over the lines: per month and account the lines
    # add up to the trial balance turnover, and every line gets its row.
    split = con.execute(
        """WITH allocated AS (SELECT month_end, account_code, sum(amount) AS amount, count(*) AS lines
                              FROM ledger_expense_allocation GROUP BY ALL)
           SELECT count(*), count(*) FILTER (WHERE tb.debit - tb.credit <> allocated.amount OR lines <> 4)
           FROM tb JOIN allocated USING (month_end, account_code)"""
    ).fetchone()
    assert split[0] == 2 * con.execute("SELECT count(DISTINCT month_end) FROM tb").fetchone()[0] and split[1] == 0


def test_seed_metrics(seed_run: tuple[Path, dict], tmp_path: Path) -> None:
    landing, _ = seed_run
    _verify(landing, tmp_path, yaml.safe_load(SEED.read_text(encoding="utf-8")), SCALE)


def test_files_follow_the_contract(seed_run: tuple[Path, dict]) -> None:
    landing, summary = seed_run
    assert sorted(summary["rows"]) == sorted(t.key for t in load_contracts())
    assert (landing.stat().st_mode & 0o777) == 0o700
    for table in load_contracts():
        for quarter in _quarters("2025H1"):
            ext = "parquet" if table.key == "investments/holdings" else "csv"
            path = landing / table.system / f"{table.name}_{quarter}.{ext}"
            assert (path.stat().st_mode & 0o777) == 0o600, path
            if ext == "parquet":
                assert pq.read_schema(path).names == table.column_names
                continue
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf") == (table.system == "ledger"), path
            header = next(csv.reader(io.StringIO(raw.decode(ENCODING.get(table.system, "utf-8")))))
            assert header == table.column_names, path


def test_id_cards_have_valid_check_digits(seed_run: tuple[Path, dict]) -> None:
    landing, _ = seed_run
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    rows = duckdb.sql(
        f"SELECT id_card_no, phone FROM read_csv('{landing}/policy/members_*.csv', all_varchar=true)"
    ).fetchall()
    assert rows
    for id_card, phone in rows:
        assert (
            len(id_card) == 18
            and "10X98765432"[sum(int(c) * w for c, w in zip(id_card[:17], weights, strict=True)) % 11] == id_card[-1]
        )
        assert len(phone) == 11 and phone[:2] in ("13", "15", "18")


def test_no_target_values_in_landing(seed_run: tuple[Path, dict]) -> None:
    landing, summary = seed_run
    targets = yaml.safe_load(SEED.read_text(encoding="utf-8"))["targets"]
    # Published money figures (wan CNY, e.g. 210183.79) as whole fields; short ratios could match an amount by chance.
    values = [str(t["value"]) for t in targets.values() if "." in str(t["value"]) and len(str(t["value"])) >= 7]
    pattern = re.compile(rb"(?<![\d.])(" + b"|".join(re.escape(v.encode()) for v in values) + rb")(?![\d])")
    for path in landing.rglob("*"):
        if path.is_file():
            assert not pattern.search(path.read_bytes()), path
    assert set(summary) >= {"scenario", "period", "scale", "seed", "generated_by"}


def test_each_system_marks_its_quarters_delivered_and_the_sensor_starts_their_closes(
    seed_run: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, _ = seed_run
    quarters = _quarters("2025H1")
    for system in systems():
        for quarter in quarters:
            marker = landing / system / f"{quarter}.done"
            files = list((landing / system).glob(f"*_{quarter}.*"))
            assert files and (marker.stat().st_mode & 0o777) == 0o600, marker
            assert marker.stat().st_mtime_ns >= max(f.stat().st_mtime_ns for f in files), marker
    assert not list(landing.rglob("*.partial"))
    monkeypatch.setenv("REGWH_HOME", str(landing.parent))
    result = complete_delivery_sensor(dg.build_sensor_context())
    assert [request.partition_key for request in result.run_requests] == quarters


def test_a_system_is_marked_delivered_only_after_its_last_table(tmp_path: Path) -> None:
    landing = Landing(tmp_path, Window.for_period(Period.parse("2025H1")))
    landing.prepare()
    tables = system_tables("policy")
    for table in tables:
        assert not list(landing.root.rglob("*.done")), table.key
        empty = pa.table({c.name: pa.array([], type=ARROW_TYPES[c.type]) for c in table.columns})
        if table.kind == "event":
            landing.event(table, empty)
        else:
            landing.snapshot(table, lambda day, empty=empty: empty)
    assert sorted(p.stem for p in (landing.root / "policy").glob("*.done")) == _quarters("2025H1")
    assert {p.parent.name for p in landing.root.glob("*/*.done")} == {"policy"}


@pytest.mark.parametrize("landing_format", ["csv", "parquet"])
def test_an_event_table_in_batches_lands_as_the_whole_table(tmp_path: Path, landing_format: str) -> None:
    table = get_table("policy", "premium_transactions")
    window = Window.for_period(Period.parse("2025H1"))
    booked = np.sort(np.random.default_rng(1).integers(window.start_ts, window.end_ts, 3_000))
    data = pa.table(
        {
            "transaction_id": [f"T{i:011d}" for i in range(booked.size)],
            "policy_id": [f"P{i % 97:010d}" for i in range(booked.size)],
            "transaction_type": ["written"] * booked.size,
            "booked_at": pa.array(booked, pa.timestamp("s")),
            "amount": pa.array([Decimal(i) / 100 for i in range(booked.size)], pa.decimal128(18, 2)),
        }
    )
    whole, batched = (Landing(tmp_path / name, window, landing_format=landing_format) for name in ("a", "b"))
    for landing in (whole, batched):
        landing.prepare()
    whole.event(table, data)
    batched.event(table, (data.slice(lo, 700) for lo in range(0, booked.size, 700)))
    assert batched.rows == whole.rows == {table.key: booked.size}
    read = pq.read_table if landing_format == "parquet" else pa.csv.read_csv
    files = sorted((batched.root / "policy").glob("premium_transactions_*"))
    assert len(files) == 14 and [f.name for f in files] == sorted(f.name for f in (whole.root / "policy").iterdir())
    for file in files:
        assert read(file).equals(read(whole.root / "policy" / file.name)), file.name
    with pytest.raises(ValueError, match="not in order"):
        batched.event(table, [data.slice(700, 700), data.slice(0, 700)])


def _digests(landing: Path) -> dict[str, str]:
    return {
        str(p.relative_to(landing)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(landing.rglob("*"))
        if p.is_file()
    }


def test_deterministic(seed_run: tuple[Path, dict], tmp_path: Path) -> None:
    landing, _ = seed_run
    generate(SEED, tmp_path, scale=SCALE, seed=7)
    assert _digests(tmp_path / "landing") == _digests(landing)


def test_parquet_landing_holds_the_csv_rows(seed_run: tuple[Path, dict], tmp_path: Path) -> None:
    landing, summary = seed_run
    parquet = generate(SEED, tmp_path, scale=SCALE, seed=7, landing_format="parquet")
    assert parquet["rows"] == summary["rows"] and parquet["format"] == "parquet"
    con = _connect(landing, tmp_path / "work")
    for table in load_contracts():
        csv_files = sorted((tmp_path / "landing" / table.system).glob(f"{table.name}_*.csv"))
        files = sorted((tmp_path / "landing" / table.system).glob(f"{table.name}_*.parquet"))
        if table.kind == "snapshot":  # exported as each system does (only custody holdings in Parquet)
            assert bool(files) == (table.key == "investments/holdings") and bool(csv_files) != bool(files), table.key
            continue
        assert [f.name for f in files] == [f"{table.name}_{q}.parquet" for q in _quarters("2025H1")] and not csv_files
        assert all(pq.read_schema(f).names == table.column_names for f in files)
        delivered = f"read_parquet({[str(f) for f in files]})"
        view = f"{table.system}_{table.name}"
        for first, second in ((delivered, view), (view, delivered)):
            missing = con.execute(f"SELECT count(*) FROM (SELECT * FROM {first} EXCEPT ALL SELECT * FROM {second})")
            assert missing.fetchone()[0] == 0, table.key
        assert con.execute(f"SELECT count(*) FROM {delivered}").fetchone()[0] == summary["rows"][table.key]


def test_other_scenario(tmp_path: Path) -> None:
    scenario = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    scenario["scenario"] = "test_2024h2"
    scenario["period"] = {"label": "2024H2", "start": "2024-07-01", "end": "2024-12-31"}
    halved = {
        "premium_income_original": 104321.57,
        "premium_income_health": 96500,
        "premium_share_health": 92.5,
        "claims_paid": 4123.45,
        "claims_count": 20000,
        "members_end": 3800000,
        "rpt_amount": 20000.01,
    }
    for code, value in halved.items():
        scenario["targets"][code]["value"] = value
    scenario["targets"]["premium_income_health"]["tolerance"] = 0.5
    scenario["targets"]["premium_share_health"]["tolerance"] = 0.005
    scenario["targets"]["online_report_rate"]["value"] = 96.1
    scenario["targets"]["rpt_count"]["value"] = 12
    scenario["targets"]["rpt_unified_agreements"]["value"] = 2
    del scenario["quarters"]
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    summary = generate(path, tmp_path / "home", scale=0.005, seed=3)
    assert summary["period"] == "2024H2"
    assert len(list((tmp_path / "home" / "landing" / "policy").glob("policies_*.csv"))) == 14
    _verify(tmp_path / "home" / "landing", tmp_path, scenario, 0.005)


def test_allocate_positive_gives_every_claim_a_fen_and_keeps_the_total() -> None:
    """At scale 10 the published claims paid is split over ten times the claims: the proportional split leaves some
    none, and each claim paid must carry at least one fen; where every row already gets a fen nothing changes."""
    weights = np.random.default_rng(3).lognormal(0, 1.1, 100_000)
    total = 150_000
    assert allocate(total, weights).min() == 0
    shares = allocate_positive(total, weights)
    assert shares.min() >= 1 and shares.sum() == total
    assert np.array_equal(allocate_positive(10**9, weights), allocate(10**9, weights))
    with pytest.raises(ValueError, match="a fen each"):
        allocate_positive(99_999, weights)
