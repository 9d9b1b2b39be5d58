"""The landing contract is the single description of deliveries: the dbt sources are derived from it."""

import yaml

from orchestration.cli import SOURCES_HEADER
from orchestration.landing_contract import SQL_TYPES, dbt_sources, load_contracts, systems
from tests.conftest import REPO

SYSTEMS = {"policy", "claims", "reinsurance", "ledger", "investments", "related_party", "capital", "regulator"}


def test_every_source_system_has_a_contract() -> None:
    assert set(systems()) == SYSTEMS


def test_tables_have_keys_types_and_partitions() -> None:
    for table in load_contracts():
        assert table.primary_key, table.key
        assert set(table.primary_key) <= set(table.column_names), table.key
        assert all(c.type in SQL_TYPES for c in table.columns), table.key
        assert all(c.description for c in table.columns), table.key
        if table.kind == "event":
            assert table.partition_by in table.column_names, table.key


def test_money_is_decimal_never_float() -> None:
    assert SQL_TYPES["money"] == "DECIMAL(18,2)"
    assert not any("DOUBLE" in t or "FLOAT" in t for t in SQL_TYPES.values())


def test_personal_data_columns_are_marked() -> None:
    members = next(t for t in load_contracts() if t.key == "policy/members")
    assert {c.name for c in members.columns if c.pii} == {"name", "id_card_no", "phone", "bank_account"}


def test_no_derived_regulatory_figure_is_delivered() -> None:
    forbidden = ("minimum_capital", "solvency", "_ratio", "reserve_total", "upr", "ibnr", "disclosure")
    for table in load_contracts():
        for column in table.column_names:
            assert not any(word in column for word in forbidden), f"{table.key}.{column}"


def test_dbt_sources_are_generated_from_the_contract() -> None:
    path = REPO / "dbt_project" / "models" / "staging" / "__sources.yml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(SOURCES_HEADER)
    assert yaml.safe_load(text) == dbt_sources(), "run `regwh dbt-sources` after changing a contract"
