"""Jobs: extraction of landing deliveries into the raw layer, and the half-year close."""

import dagster as dg

from orchestration.defs.partitions import quarterly_partitions

extract_job = dg.define_asset_job(
    "extract",
    selection=dg.AssetSelection.groups("raw"),
    partitions_def=quarterly_partitions,
    description="Validate each landing delivery of the selected quarters and write the raw layer.",
)

close_half_year_job = dg.define_asset_job(
    "close_half_year",
    selection=dg.AssetSelection.groups("reference", "staging", "intermediate", "marts", "regulatory")
    | dg.AssetSelection.assets(["extracts", "half_year_disclosure"]),
    partitions_def=quarterly_partitions,
    description="Build the warehouse for a half year's last quarter, gate the disclosure and publish it.",
)

jobs = [extract_job, close_half_year_job]
