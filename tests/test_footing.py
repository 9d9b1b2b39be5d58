"""Published tables foot: rows add up to their totals after rounding, within the rounding policy's 尾差."""

from __future__ import annotations

from decimal import Decimal

from orchestration.footing import footing_problems
from orchestration.report import render_package_files
from orchestration.report.model import Figure, ReportInput

THIRDS = [("health", Decimal("1") / 3), ("accident", Decimal("1") / 3), ("credit", Decimal("1") / 3)]


def _package(points: list[tuple[str, Decimal]]) -> dict[str, bytes]:
    report = ReportInput(
        title_zh="测试",
        period="2025H1",
        figures=[Figure("premium_income_original", "原保费收入", "wan_cny", "operations", Decimal("1"), 2)],
        series={"premium_by_line": points},
    )
    return {name: data for name, data in render_package_files(report).items() if name.endswith(".csv")}


def test_a_rendered_table_foots_within_the_rounding_difference() -> None:
    files = _package(THIRDS)
    table = files["table_premium_by_line.csv"].decode("utf-8-sig")
    assert "health,健康险,万元,0.33," in table and "total,合计,万元,1.00," in table  # 0.99 shown against 1.00
    assert footing_problems(files) == []


def test_a_table_whose_rows_do_not_add_up_is_caught() -> None:
    files = _package(THIRDS)
    name = "table_premium_by_line.csv"
    files[name] = files[name].decode("utf-8-sig").replace("total,合计,万元,1.00", "total,合计,万元,1.05").encode()
    [problem] = footing_problems(files)
    assert problem.startswith(f"{name} 本期: total shows 1.05 but its 3 rows add up to 0.99 (off by 0.06")
    assert "rounding allows 0.02" in problem


def test_net_assets_in_metrics_foot_to_assets_minus_liabilities() -> None:
    header = "metric_code,value,display_value,unit\n"
    good = header + "total_assets,500.004,500.00,wan_cny\ntotal_liabilities,300.005,300.01,wan_cny\n"
    assert footing_problems({"metrics.csv": (good + "net_assets,199.999,200.00,wan_cny\n").encode()}) == []
    bad = footing_problems({"metrics.csv": (good + "net_assets,199.999,200.02,wan_cny\n").encode()})
    assert bad == [
        "metrics.csv display_value: net_assets shows 200.02 but its 2 rows add up to 199.99 "
        "(off by 0.03; rounding allows 0.01)"
    ]


def test_a_total_shown_without_its_rows_is_caught() -> None:
    text = "metric_code,this_quarter_value,last_quarter_value\ncore_solvency_surplus,10,9\ncore_capital,30,29\n"
    assert footing_problems({"solvency_summary.csv": text.encode()}) == [
        "solvency_summary.csv: core_solvency_surplus shown without its rows minimum_capital"
    ]
