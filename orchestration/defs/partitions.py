"""Quarters are the partitions; a half year is closed on its last quarter."""

import dagster as dg

FIRST_YEAR, LAST_YEAR = 2017, 2030

quarterly_partitions = dg.StaticPartitionsDefinition(
    [f"{year}Q{quarter}" for year in range(FIRST_YEAR, LAST_YEAR + 1) for quarter in range(1, 5)]
)
