from datetime import date

import pytest

from orchestration.periods import Period, quarter_range


def test_half_year_has_two_quarters_and_cst_bounds() -> None:
    h1 = Period.parse("2025H1")
    assert [q.label for q in h1.quarters] == ["2025Q1", "2025Q2"]
    assert (h1.start, h1.end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert Period.parse("2024Q4").end == date(2024, 12, 31)
    assert Period.parse("2025Q1").previous_quarter().label == "2024Q4"


def test_quarter_range_crosses_years() -> None:
    labels = [q.label for q in quarter_range(Period.parse("2024Q3"), Period.parse("2025H1"))]
    assert labels == ["2024Q3", "2024Q4", "2025Q1", "2025Q2"]


@pytest.mark.parametrize("bad", ["2025Q5", "2025", "25H1", "2025H3", "2025-Q1"])
def test_bad_period_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="2025Q1 or 2025H1"):
        Period.parse(bad)
