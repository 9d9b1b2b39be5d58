"""Jobs: extraction of landing deliveries into the raw layer, and the half-year close."""

import dagster as dg

from orchestration.defs.partitions import quarterly_partitions

extract_job = dg.define_asset_job(
    "extract",
    selection=dg.AssetSelection.groups("raw"),
    partitions_def=quarterly_partitions,
    description="Validate each landing delivery of the selected quarters and write the raw layer.",
)

WAREHOUSE = dg.AssetSelection.groups("raw", "reference", "staging", "intermediate", "marts", "regulatory")

close_quarter_job = dg.define_asset_job(
    "close_quarter",
    selection=WAREHOUSE | dg.AssetSelection.assets(["extracts", "quarterly_solvency"]),
    partitions_def=quarterly_partitions,
    description="Close a quarter: extract its deliveries, build the warehouse, gate and publish the quarterly "
    "solvency package.",
)

close_half_year_job = dg.define_asset_job(
    "close_half_year",
    selection=WAREHOUSE | dg.AssetSelection.assets(["extracts", "half_year_disclosure"]),
    partitions_def=quarterly_partitions,
    description="Close a half year's last quarter (2025Q2 for 2025H1): extract, build, gate, publish the disclosure.",
)

jobs = [extract_job, close_quarter_job, close_half_year_job]
