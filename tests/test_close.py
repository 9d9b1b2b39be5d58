"""End to end: generated deliveries → close 2025H1 → extract package, reproduced from data alone."""

from __future__ import annotations

import csv
import json
import shutil
import stat
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import yaml

from orchestration import deliveries, settings
from orchestration.publish import sha256_bytes
from orchestration.reproduce import compare
from tests.conftest import REPO, SEED_SCENARIO, metrics, regwh


def _copy(closed: Path, tmp_path: Path) -> Path:
    root = tmp_path / "home"
    shutil.copytree(closed, root, symlinks=True)
    return settings.ensure_home(root)  # as `regwh init`: the copy's Dagster instance keeps its runs in the copy


def test_the_extract_reproduces_the_published_figures(closed: Path) -> None:
    result = regwh(closed, "verify", "--scenario", str(SEED_SCENARIO))
    assert result.returncode == 0, result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    targets = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))["targets"]
    for metric in targets:  # all 30 figures of the seed report, the solvency ones and the rating included
        assert lines[metric].rstrip().endswith("ok"), lines[metric]


def test_verify_fails_on_a_missed_figure(closed: Path, tmp_path: Path) -> None:
    scenario = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))
    scenario["targets"]["claims_paid"]["value"] = 8739.18
    changed = tmp_path / "changed.yaml"
    changed.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    result = regwh(closed, "verify", "--scenario", str(changed))
    assert result.returncode == 1
    assert any(line.startswith("claims_paid") and line.rstrip().endswith("MISS") for line in result.stdout.splitlines())


def test_package_manifest_traces_every_input(closed: Path) -> None:
    package = closed / "extracts" / "2025H1" / "v1"
    assert regwh(closed, "verify-package", str(package)).returncode == 0
    manifest = json.loads((package / "manifest.json").read_text(encoding="utf-8"))
    landing = sorted(p for p in (closed / "landing").glob("*/*_20*Q*.*") if p.name.split("_")[-1][:6] <= "2025Q2")
    assert len(manifest["inputs"]) == len(landing)
    by_file = {item["file"]: item["sha256"] for item in manifest["inputs"]}
    for path in landing:
        assert by_file[str(path.relative_to(closed))] == sha256_bytes(path.read_bytes())
    assert manifest["validation"]["success"] is True
    assert len(manifest["dbt_manifest_sha256"]) == 64


def _materialized(root: Path, *key: str) -> dict[str, dg.MetadataValue]:
    """The metadata of the latest materialisation of ``key`` in ``root``'s Dagster instance."""
    with dg.DagsterInstance.from_config(str(root / "dagster")) as instance:
        event = instance.get_latest_materialization_event(dg.AssetKey(list(key)))
    assert event is not None and event.asset_materialization is not None, key
    return event.asset_materialization.metadata


def _markdown_rows(table: str) -> list[list[str]]:
    """The cells of a Markdown table's rows (header first, the separator row left out)."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.splitlines()]
    return [row for row in rows if row != [""] and not set("".join(row)) <= set(":-")]


def test_the_close_records_row_counts_and_a_preview_for_the_ui(closed: Path) -> None:
    tables = (("marts", "fct_premiums"), ("regulatory", "rpt_metrics"), ("reference", "metric_dictionary"))
    with duckdb.connect(str(closed / "warehouse.duckdb"), read_only=True) as con:
        for schema, table in tables:
            (count,) = con.execute(f"select count(*) from {schema}.{table}").fetchone()
            assert count > 0 and _materialized(closed, schema, table)["dagster/row_count"].value == count, table
    raw = _materialized(closed, "raw", "policy", "premium_transactions")  # the last quarter extracted: 2025Q2
    source = settings.raw_dir(closed) / "policy" / "premium_transactions" / "quarter=2025Q2" / "_source.json"
    assert raw["dagster/row_count"].value == json.loads(source.read_text())["rows"] > 0
    preview = _materialized(closed, "extracts", "half_year_disclosure")["preview metrics.csv"]
    assert isinstance(preview, dg.MarkdownMetadataValue)
    rows = _markdown_rows(preview.value)
    assert rows[0][:2] == ["metric_code", "value"] and "premium_income_original" in {row[0] for row in rows}


def test_published_figures_follow_the_metric_dictionary(closed: Path) -> None:
    """metrics.csv lists its figures in the dictionary's order: the seed's rows as loaded by dbt, which writes
    tables without keeping scan order (profiles.yml, preserve_insertion_order), so the order is checked here."""
    with (REPO / "dbt_project" / "seeds" / "metric_dictionary.csv").open(encoding="utf-8") as handle:
        dictionary = [row["code"] for row in csv.DictReader(handle)]
    with (closed / "extracts" / "2025H1" / "v1" / "metrics.csv").open(encoding="utf-8") as handle:
        published = [row["metric_code"] for row in csv.DictReader(handle)]
    assert len(published) > 1 and published == [code for code in dictionary if code in set(published)]


def test_a_succeeded_close_leaves_no_dbt_target_folder(closed: Path) -> None:
    """Each dbt call of a close writes a target folder ``<step>-<run id[:7]>-<uuid>`` into the dbt project; the
    close's succeeded steps remove theirs (the close publishes, so every step succeeded)."""
    with dg.DagsterInstance.from_config(str(closed / "dagster")) as instance:
        runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
    steps = {run.run_id[:7] for run in runs if run.job_name.startswith("close_")}
    assert steps  # the close ran through Dagster
    target = REPO / "dbt_project" / "target"
    assert [p.name for p in target.glob("warehouse_models*-*") if p.name.split("-")[1] in steps] == []


def test_a_second_identical_close_publishes_nothing_new(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    result = regwh(root, "close", "--period", "2025H1")
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout
    assert "extract: every delivery of 2022Q1..2025Q2 is extracted as it stands" in result.stdout  # no extract run
    assert sorted(p.name for p in (root / "extracts" / "2025H1").iterdir()) == ["v1"]


def _redeliver_with_extra_premium(root: Path, amount: Decimal) -> Path:
    """Deliver premium_transactions_2025Q2.csv again, one written premium raised by ``amount``; its path."""
    # A policy that starts and ends within 2025Q2 holds no reserve at either quarter end, so the ledger's
    # reserve reconciliation is untouched by the change.
    with (root / "landing" / "policy" / "policies_2025Q2.csv").open(encoding="utf-8", newline="") as handle:
        inside = {
            row["policy_id"]
            for row in csv.DictReader(handle)
            if row["start_date"] >= "2025-04-01" and row["end_date"] < "2025-06-30"
        }
    path = root / "landing" / "policy" / "premium_transactions_2025Q2.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    index = next(i for i, row in enumerate(rows) if row["transaction_type"] == "written" and row["policy_id"] in inside)
    rows[index]["amount"] = str(Decimal(rows[index]["amount"]) + amount)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_one_premium_transaction_moves_the_figure_by_exactly_its_amount(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    v1 = root / "extracts" / "2025H1" / "v1"
    before = metrics(v1)
    v1_bytes = (v1 / "metrics.csv").read_bytes()
    _redeliver_with_extra_premium(root, Decimal("123.45"))
    refused = regwh(root, "close", "--period", "2025H1")
    assert refused.returncode == 1 and "restatement" in refused.stderr
    result = regwh(root, "close", "--period", "2025H1", "--restate", "corrected premium booking")
    assert result.returncode == 0, result.stderr
    after = metrics(root / "extracts" / "2025H1" / "v2")
    assert after["premium_income_original"] - before["premium_income_original"] == Decimal("0.012345")
    assert (v1 / "metrics.csv").read_bytes() == v1_bytes


def test_every_delivery_is_kept_so_an_old_package_can_be_rebuilt(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    delivered = {str(p.relative_to(root)): p.read_bytes() for p in (root / "landing").glob("*/*_20*Q*.*")}
    changed = _redeliver_with_extra_premium(root, Decimal("10.00"))
    result = regwh(root, "close", "--period", "2025H1", "--restate", "premium booking corrected")
    assert result.returncode == 0, result.stderr[-3000:]
    assert changed.read_bytes() != delivered[str(changed.relative_to(root))]  # the landing file was replaced
    archive = root / "deliveries"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o700
    for version in ("v1", "v2"):
        manifest = json.loads((root / "extracts" / "2025H1" / version / "manifest.json").read_text(encoding="utf-8"))
        assert deliveries.missing_inputs(manifest["inputs"], root, recompute=True) == [], version
    assert regwh(root, "verify-package", str(root / "extracts" / "2025H1" / "v1"), "--inputs").returncode == 0
    first = json.loads((root / "extracts" / "2025H1" / "v1" / "manifest.json").read_text(encoding="utf-8"))
    for item in first["inputs"]:
        kept = archive / item["sha256"]
        assert kept.read_bytes() == delivered[item["file"]], item["file"]
        assert stat.S_IMODE(kept.stat().st_mode) == 0o400
    # v1 rebuilt from the archive alone (its premium file has since been replaced): every file byte for byte.
    rebuilt = regwh(root, "reproduce", str(root / "extracts" / "2025H1" / "v1"), "--into", str(tmp_path / "again"))
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:] + rebuilt.stderr[-3000:]
    assert "reproduced" in rebuilt.stdout
    again = json.loads((tmp_path / "again" / "extracts" / "2025H1" / "v1" / "manifest.json").read_text("utf-8"))
    assert compare(first, again) == ([entry["name"] for entry in first["files"]], [])
    second = json.loads((root / "extracts" / "2025H1" / "v2" / "manifest.json").read_text(encoding="utf-8"))
    assert "metrics.csv" in compare(second, again)[1]  # the restated figures are not v1's


def test_a_failing_gate_publishes_nothing(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    shutil.rmtree(root / "extracts")
    suites = tmp_path / "suites"
    shutil.copytree(REPO / "expectations", suites)
    suite = json.loads((REPO / "expectations" / "half_year_disclosure.json").read_text(encoding="utf-8"))
    rule = next(e for e in suite["expectations"] if e["kwargs"].get("column") == "claims_paid"
                and e["type"] == "expect_column_values_to_be_between")  # fmt: skip
    rule["kwargs"]["max_value"] = 1
    (suites / "half_year_disclosure.json").write_text(json.dumps(suite), encoding="utf-8")
    result = regwh(root, "close", "--period", "2025H1", REGWH_EXPECTATIONS_DIR=str(suites))
    assert result.returncode == 1
    assert rule["meta"]["rule_id"] in result.stderr and "claims_paid" in result.stderr
    assert not (root / "extracts" / "2025H1").exists()


def test_a_broken_delivery_is_quarantined_and_nothing_published(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    v1 = root / "extracts" / "2025H1" / "v1"
    published = {p.name: p.read_bytes() for p in v1.iterdir()}
    path = root / "landing" / "claims" / "claim_payments_2025Q2.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[2]["amount"] = "12.3x"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    broken = path.read_bytes()
    result = regwh(root, "close", "--period", "2025H1", "--restate", "should not publish")
    assert result.returncode == 1
    assert "claim_payments_2025Q2.csv: row 3, column amount: type money" in result.stderr
    assert not path.exists()
    [folder] = (root / "quarantine").iterdir()
    assert (folder / path.name).read_bytes() == broken
    assert "column: amount" in (folder / f"{path.name}.error.txt").read_text(encoding="utf-8")
    assert sorted(p.name for p in v1.parent.iterdir()) == ["v1"]
    assert {p.name: p.read_bytes() for p in v1.iterdir()} == published


def test_a_materially_different_scenario_also_verifies(tmp_path: Path) -> None:
    scenario = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))
    scenario["scenario"] = "other_2024h2"
    scenario["period"] = {"label": "2024H2", "start": "2024-07-01", "end": "2024-12-31"}
    targets = scenario["targets"]
    targets["premium_income_original"]["value"] = 120345.67
    targets["premium_income_health"]["value"] = 98765
    targets["premium_share_health"]["value"] = 82.07
    targets["claims_paid"]["value"] = 15432.1
    targets["claims_count"]["value"] = 52000
    targets["rpt_count"]["value"] = 12
    targets["rpt_amount"]["value"] = 9876.54
    targets["rpt_unified_agreements"]["value"] = 2
    finance = {  # a smaller balance sheet, other profit, funds, yield and reserves (万元, %)
        "total_liabilities": 301122.11, "admitted_liabilities": 301122.11, "net_assets": 88647.08,
        "total_assets": 389769.19, "admitted_assets": 388353.40, "actual_capital": 87231.28,
        "profit_before_tax": 9114.77, "investable_funds_net": 153400, "comprehensive_investment_yield": 2.10,
        "unearned_premium_reserve": 52000.00, "outstanding_claims_reserve": 43106.29,
        # minimum capital 32,000.00 (the generator shapes the investment mix to it) and core capital 86,000.00:
        "minimum_capital": 32000.00, "core_solvency_surplus": 54000.00,  # 86,000.00 - 32,000.00
        "core_solvency_ratio": 268.75,  # 86,000.00 / 32,000.00
        "comprehensive_solvency_surplus": 55231.28,  # 87,231.28 - 32,000.00
        "comprehensive_solvency_ratio": 272.60,  # 87,231.28 / 32,000.00 = 272.598 %
    }  # fmt: skip
    for code, value in finance.items():
        targets[code]["value"] = value
    targets["integrated_risk_rating"]["value"] = "A"
    scenario.pop("quarters", None)
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    root = tmp_path / "home"
    generated = regwh(root, "generate", "--scenario", str(path), "--scale", "0.005")
    assert generated.returncode == 0, generated.stderr[-3000:]
    closed = regwh(root, "close", "--period", "2024H2")
    assert closed.returncode == 0, closed.stderr[-3000:]
    result = regwh(root, "verify", "--scenario", str(path))
    assert result.returncode == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if line.split() and line.split()[0] in targets]
    assert len(lines) == len(targets) and all(line.rstrip().endswith("ok") for line in lines), result.stdout
    figures = metrics(root / "extracts" / "2024H2" / "v1")
    assert figures["rpt_count"] == 12 and figures["premium_income_original"] == Decimal("120345.67")
    assert figures["integrated_risk_rating"] == "A"


def test_the_quarter_close_publishes_the_solvency_summary(closed: Path, tmp_path: Path) -> None:
    root = _copy(closed, tmp_path)
    result = regwh(root, "close", "--period", "2025Q2")
    assert result.returncode == 0, result.stderr[-3000:]
    package = root / "extracts" / "2025Q2" / "v1"
    assert regwh(root, "verify-package", str(package)).returncode == 0
    with (package / "solvency_summary.csv").open(encoding="utf-8") as handle:
        summary = {row["metric_code"]: row for row in csv.DictReader(handle)}
    figures = metrics(package)
    for code in ("core_solvency_ratio", "comprehensive_solvency_ratio", "minimum_capital", "actual_capital"):
        assert summary[code]["this_quarter_value"] and summary[code]["last_quarter_value"], code
    # Identities hold on unrounded figures; each published figure is rounded on its own (at most 0.01 apart).
    cent = Decimal("0.01")
    assert abs(figures["actual_capital"] - (figures["admitted_assets"] - figures["admitted_liabilities"])) <= cent
    surplus = figures["actual_capital"] - figures["minimum_capital"]
    assert abs(figures["comprehensive_solvency_surplus"] - surplus) <= cent
    # Supplementary tier 1 = the admitted deferred tax assets: the seed's 97,231.28 - 96,548.34 (core capital
    # = minimum capital 46,587.25 + core surplus 49,961.09) = 682.94 万元.
    assert abs(figures["actual_capital"] - figures["core_capital"] - Decimal("682.94")) <= cent
    assert summary["integrated_risk_rating"]["this_quarter_grade"] == "BB"
    assert (package / "related_party_disclosure.csv").read_text(encoding="utf-8").startswith("period_label,")
    metadata = _materialized(root, "extracts", "quarterly_solvency")
    assert "core_solvency_ratio" in {row[0] for row in _markdown_rows(metadata["preview solvency_summary.csv"].value)}
    assert _markdown_rows(metadata["preview related_party_disclosure.csv"].value)[0][0] == "period_label"
    # The half year's first quarter closes too, and agrees with the last-quarter column of 2025Q2's summary.
    first_close = regwh(root, "close", "--period", "2025Q1")
    assert first_close.returncode == 0, first_close.stderr[-3000:]
    first = metrics(root / "extracts" / "2025Q1" / "v1")
    for code in ("admitted_assets", "actual_capital", "core_capital", "minimum_capital", "core_solvency_ratio"):
        assert first[code] == Decimal(summary[code]["last_quarter_value"]), code


def test_a_quarter_below_the_solvency_standard_closes_and_shows_the_failed_test(tmp_path: Path) -> None:
    scenario = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))
    scenario["scenario"] = "undercapitalised_2025h1"
    targets = scenario["targets"]
    targets["net_assets"]["value"] = 25000.0  # far below the ~43,000 万元 of minimum capital this business needs
    targets["total_assets"]["value"] = round(targets["total_liabilities"]["value"] + 25000.0, 2)
    for code in (
        "admitted_assets", "actual_capital", "minimum_capital", "core_solvency_surplus", "core_solvency_ratio",
        "comprehensive_solvency_surplus", "comprehensive_solvency_ratio",
    ):  # fmt: skip
        targets.pop(code)
    path = tmp_path / "undercapitalised.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    root = tmp_path / "home"
    assert regwh(root, "generate", "--scenario", str(path), "--scale", "0.005").returncode == 0
    closed = regwh(root, "close", "--period", "2025Q2")
    assert closed.returncode == 0, closed.stderr[-3000:]
    assert "regulatory test FAILED: comprehensive_solvency_ratio >= 100 %" in closed.stderr
    assert "regulatory test passed: integrated_risk_rating class B or better" in closed.stdout
    package = root / "extracts" / "2025Q2" / "v1"
    with (package / "solvency_summary.csv").open(encoding="utf-8") as handle:
        summary = {row["metric_code"]: row for row in csv.DictReader(handle)}
    assert Decimal(summary["comprehensive_solvency_ratio"]["this_quarter_value"]) < 100
    assert summary["comprehensive_solvency_ratio"]["this_quarter_passed"] == "False"
    assert regwh(root, "verify-package", str(package)).returncode == 0


def test_a_scenario_with_excess_of_loss_cessions_has_nonzero_k_and_still_verifies(tmp_path: Path) -> None:
    """The seed's figures with 6 % of accident premium ceded under the excess-of-loss treaty (scenario input
    ``excess_of_loss_premium_rate``): premium k2 (R4 Art. 16) and the combined-ratio k1 move off 0, each line's
    capital moves with its K against K = 0, and the period still verifies every published figure."""
    scenario = yaml.safe_load(SEED_SCENARIO.read_text(encoding="utf-8"))
    scenario["scenario"] = "excess_of_loss_2025h1"
    scenario["inputs"] = {"excess_of_loss_premium_rate": {"value": 0.06}}
    path = tmp_path / "excess_of_loss.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    root = tmp_path / "home"
    generated = regwh(root, "generate", "--scenario", str(path), "--scale", "0.005")
    assert generated.returncode == 0, generated.stderr[-3000:]
    closed = regwh(root, "close", "--period", "2025H1")
    assert closed.returncode == 0, closed.stderr[-3000:]
    result = regwh(root, "verify", "--scenario", str(path))
    assert result.returncode == 0, result.stdout
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as con:
        premium_k = con.execute(
            "select line_of_business, k1_combined_ratio, k2_nonproportional_cession"
            " from intermediate.int_reporting__nonlife_k_adjustments"
            " where quarter_label = '2025Q2' and sub_risk = 'premium'"
        ).fetchall()
        rows = con.execute(
            "select exposure_item, k_adjustment, capital, exposure * base_factor * runoff_discount"
            " from marts.fct_minimum_capital_exposures where module = 'nonlife_insurance'"
        ).fetchall()
    # NE = 6 % of written / (94 % of written) = 6.4 % -> band [5 %, +inf) -> k2 = -0.047; no XL on other lines.
    k2 = {line: value for line, _, value in premium_k}
    assert k2["accident"] == Decimal("-0.047") and k2["health"] == 0
    assert any(k1 != 0 for _, k1, _ in premium_k)
    assert any(k_adjustment != 0 for _, k_adjustment, _, _ in rows)
    for item, k_adjustment, capital, at_k_zero in rows:  # RF = RF0 x (1 + K) below the cap of 1
        if k_adjustment == 0:
            assert abs(capital - at_k_zero) < Decimal("0.01"), item
        else:
            assert (capital < at_k_zero) == (k_adjustment < 0) and capital != at_k_zero, (item, k_adjustment)


def test_every_dbt_test_is_an_asset_check_result_of_the_close(closed: Path) -> None:
    from orchestration.defs.transform import warehouse_models

    with dg.DagsterInstance.from_config(str(closed / "dagster")) as instance:
        (run,) = instance.get_runs(dg.RunsFilter(job_name="close_half_year"))
        entries = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluated = {
        (e.dagster_event.event_specific_data.asset_key, e.dagster_event.event_specific_data.check_name) for e in entries
    }
    dbt_checks = {(key.asset_key, key.name) for key in warehouse_models.check_keys}
    # about 200: the seeds' 156 tests are no checks of a close (tests/test_cross_ii_seeds.py runs them)
    assert len(dbt_checks) > 150 and dbt_checks <= evaluated
