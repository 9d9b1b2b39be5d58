"""The code location loads, and its assets show the warehouse's layers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from orchestration.landing_contract import load_contracts
from tests.conftest import REPO

LAYERS = {"landing", "raw", "reference", "staging", "intermediate", "marts", "regulatory", "extracts"}


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from orchestration.definitions import defs

    return defs


def test_definitions_load_with_their_jobs(defs: dg.Definitions) -> None:
    assert defs.resolve_job_def("extract").partitions_def is not None
    assert defs.resolve_job_def("close_half_year").partitions_def is not None
    dg.Definitions.validate_loadable(defs)


def test_asset_groups_are_the_layers(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    groups = {graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert groups == LAYERS


def test_every_landing_table_has_a_raw_asset_that_dbt_reads(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for table in load_contracts():
        raw = dg.AssetKey(["raw", table.system, table.name])
        assert raw in keys, table.key
        assert dg.AssetKey(["landing", table.system, table.name]) in graph.get(raw).parent_keys
    premiums = dg.AssetKey(["staging", "stg_policy__premium_transactions"])
    assert graph.get(premiums).parent_keys == {
        dg.AssetKey(["raw", "policy", "premium_transactions"]),
        dg.AssetKey(["raw", "delivery_checks"]),
    }


def test_disclosure_package_is_gated_by_a_blocking_check(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    package = dg.AssetKey(["extracts", "half_year_disclosure"])
    metrics = dg.AssetKey(["regulatory", "rpt_disclosure_metrics"])
    assert metrics in graph.get(package).parent_keys
    gate = graph.get_check_spec(dg.AssetCheckKey(metrics, "disclosure_gate"))
    assert gate.blocking


def test_every_fact_and_regulatory_suite_is_a_blocking_check(defs: dg.Definitions) -> None:
    from orchestration.fact_checks import FACT_CHECKS

    graph = defs.resolve_asset_graph()
    for check in FACT_CHECKS:
        key = dg.AssetCheckKey(dg.AssetKey([check.schema, check.model]), f"{check.suite}_suite")
        assert graph.get_check_spec(key).blocking, key
    assert {c.model for c in FACT_CHECKS} >= {
        "fct_claims", "fct_premiums", "fct_investments", "fct_balance_sheet", "rpt_related_party_disclosure",
        "fct_policies", "fct_ledger_balances", "fct_investment_income", "fct_admitted_balance_sheet",
        "fct_minimum_capital_exposures", "fct_related_party_classification", "fct_related_party_investment_limits",
        "rpt_solvency_summary", "rpt_metrics",
    }  # fmt: skip


def test_every_fact_and_regulatory_table_has_a_blocking_suite(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    # Gated by the disclosure and solvency gates, or read into rpt_metrics (whose suite checks the figures).
    elsewhere = {"rpt_disclosure_metrics", "rpt_solvency_checks", "rpt_solvency_metrics", "rpt_solvency_rating"}
    tables = [
        key for key in graph.get_all_asset_keys()
        if key.path[0] in ("marts", "regulatory") and key.path[-1].startswith(("fct_", "rpt_"))
        and key.path[-1] not in elsewhere
    ]  # fmt: skip
    # Each has its own suite under expectations/; the two gates' suites are the rest.
    gates = {"half_year_disclosure", "quarterly_solvency"}
    suites = {path.stem for path in (REPO / "expectations").glob("*.json")} - gates
    assert {key.path[-1] for key in tables} == suites
    for key in tables:
        assert graph.get_check_spec(dg.AssetCheckKey(key, f"{key.path[-1]}_suite")).blocking, key


def test_seed_tests_are_no_asset_checks_and_model_tests_are(defs: dg.Definitions) -> None:
    """A close runs no seed test (tests/test_cross_ii_seeds.py does); tests of models, against seeds too, are checks."""
    graph = defs.resolve_asset_graph()
    seeds = {key for key in graph.get_all_asset_keys() if graph.get(key).group_name == "reference"}
    checks = graph.asset_check_keys
    assert len(seeds) >= 10 and not {check.asset_key for check in checks} & seeds
    metrics = dg.AssetKey(["regulatory", "rpt_metrics"])
    assert dg.AssetCheckKey(metrics, "relationships_rpt_metrics_metric_code__code__ref_metric_dictionary_") in checks


def test_every_asset_has_an_owner(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).owners == ["team:regulatory-data"], key


def test_the_dbt_resource_knows_the_dbt_version_without_running_dbt() -> None:
    from orchestration.defs.resources import build_resources

    dbt = build_resources()["dbt"]
    reported = subprocess.run([dbt.dbt_executable, "--version"], capture_output=True, text=True, check=True).stdout
    assert f"installed: {dbt._cli_version}" in reported
    assert dbt._initialize_dbt_core_adapter(["build"]) is None


def test_loading_the_definitions_leaves_the_later_steps_imports_to_the_dbt_step() -> None:
    """Great Expectations and chainladder are imported while dbt runs (orchestration/preload.py), not on load."""
    later = "{'chainladder', 'great_expectations'}"
    code = f"import sys, orchestration.definitions; print(sorted(set(sys.modules) & {later}))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert loaded.strip() == "[]"


def test_preload_imports_in_the_background_and_ignores_what_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.preload import preload

    (tmp_path / "regwh_preloaded.py").write_text("import threading\nIMPORTED_BY = threading.current_thread().name\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        preload(["regwh_no_such_module", "regwh_preloaded"]).join(timeout=60)
        # imported after the module that failed, and by the preload's thread
        assert sys.modules["regwh_preloaded"].IMPORTED_BY == "regwh-preload"
    finally:
        sys.modules.pop("regwh_preloaded", None)
