"""Schedules close the right period on the right day; the sensor waits for a complete delivery."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.schedules import (
    complete_delivery_sensor,
    half_year_disclosure_schedule,
    quarter_end_close,
)
from orchestration.landing_contract import systems


@pytest.mark.parametrize(
    ("when", "partition"),
    [(datetime(2025, 7, 15, 6), "2025Q2"), (datetime(2025, 1, 15, 6), "2024Q4"), (datetime(2025, 4, 15, 6), "2025Q1")],
)
def test_quarter_end_schedule_closes_the_quarter_that_ended(when: datetime, partition: str) -> None:
    request = quarter_end_close(dg.build_schedule_context(scheduled_execution_time=when))
    assert request.partition_key == partition
    assert request.tags["regwh/period"] == partition


@pytest.mark.parametrize(
    ("when", "partition", "half"),
    [(datetime(2025, 7, 20, 6), "2025Q2", "2025H1"), (datetime(2026, 1, 20, 6), "2025Q4", "2025H2")],
)
def test_half_year_schedule_publishes_the_half_year_that_ended(when: datetime, partition: str, half: str) -> None:
    request = half_year_disclosure_schedule(dg.build_schedule_context(scheduled_execution_time=when))
    assert (request.partition_key, request.tags["regwh/period"]) == (partition, half)


def _mark(home: Path, quarter: str, systems_delivered: list[str]) -> None:
    for system in systems_delivered:
        folder = home / "landing" / system
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{quarter}.done").write_text("")


def test_sensor_waits_until_every_system_delivered(home: Path) -> None:
    everyone = systems()
    _mark(home, "2025Q2", everyone[:-1])
    result = complete_delivery_sensor(dg.build_sensor_context())
    assert result.run_requests == []
    _mark(home, "2025Q2", everyone[-1:])
    result = complete_delivery_sensor(dg.build_sensor_context())
    assert [r.partition_key for r in result.run_requests] == ["2025Q2"]


def test_sensor_does_not_start_the_same_delivery_twice(home: Path) -> None:
    _mark(home, "2025Q1", systems())
    first = complete_delivery_sensor(dg.build_sensor_context())
    assert len(first.run_requests) == 1
    again = complete_delivery_sensor(dg.build_sensor_context(cursor=first.cursor))
    assert again.run_requests == []
