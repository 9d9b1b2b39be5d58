"""The Dagster code location: one Definitions object for the whole warehouse."""

import dagster as dg

from orchestration.defs.jobs import jobs
from orchestration.defs.quality import fact_checks
from orchestration.defs.raw import delivery_checks, landing_specs, raw_assets
from orchestration.defs.regulatory import (
    disclosure_gate,
    half_year_disclosure_package,
    quarterly_solvency_package,
    solvency_gate,
)
from orchestration.defs.regulatory_tests import regulatory_tests
from orchestration.defs.reserving import claims_reserving
from orchestration.defs.resources import build_resources
from orchestration.defs.schedules import complete_delivery_sensor, half_year_disclosure_schedule, quarter_end_close
from orchestration.defs.transform import warehouse_models

# Who answers for an asset (shown in the UI): the regulatory data team owns every layer, from the landing
# contract to the published packages.
OWNERS = ["team:regulatory-data"]

defs = dg.Definitions(
    assets=dg.map_asset_specs(
        lambda spec: spec.replace_attributes(owners=OWNERS),
        [
            *landing_specs,
            *raw_assets,
            delivery_checks,
            warehouse_models,
            claims_reserving,
            half_year_disclosure_package,
            quarterly_solvency_package,
        ],
    ),
    asset_checks=[disclosure_gate, solvency_gate, regulatory_tests, *fact_checks],
    jobs=jobs,
    schedules=[quarter_end_close, half_year_disclosure_schedule],
    sensors=[complete_delivery_sensor],
    resources=build_resources(),
    executor=dg.in_process_executor,
)
