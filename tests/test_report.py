"""Rendering of the package's human-readable files: content, rounding, footing and byte-for-byte determinism."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pypdf
import pytest

from orchestration.report import Figure, ReportInput, display, render_package_files, round_half_up
from orchestration.report.tables import SECTION_BY_KEY, SERIES, series_table
from orchestration.report.text import section_paragraphs

REPO = Path(__file__).resolve().parents[1]
D = Decimal
FIGURES = [
    Figure("premium_income_original", "原保费收入", "wan_cny", "operations", D("210183.7900000000"), 2),
    Figure("premium_income_health", "健康险保费收入", "wan_cny", "operations", D("201406.0000"), 2),
    Figure("premium_share_health", "健康险保费占比", "percent", "operations", D("95.8228417"), 2),
    Figure("claims_paid", "赔付支出", "wan_cny", "claims", D("8739.165"), 2),
    Figure("claims_count", "赔付件数", "count", "service", D("39012"), 0),
    Figure("online_report_rate", "线上报案率", "percent", "service", D("97.8123"), 1),
    Figure("fastest_settlement_seconds", "最快理赔时效", "seconds", "service", D("31"), 0),
    Figure("members_end", "会员人数", "count", "service", D("4512345"), 0),
    Figure("total_assets", "资产总额", "wan_cny", "finance", D("489769.1912"), 2),
    Figure("total_liabilities", "负债总额", "wan_cny", "finance", D("391122.1104"), 2),
    Figure("net_assets", "净资产", "wan_cny", "finance", D("98647.0808"), 2),
    Figure("profit_before_tax", "利润总额", "wan_cny", "finance", D("14114.77"), 2),
    Figure("investable_funds_net", "可运用资金净额", "wan_cny", "investment", D("183400.12"), 2),
    Figure("comprehensive_investment_yield", "综合投资收益率", "percent", "investment", D("1.6012"), 2),
    Figure("unearned_premium_reserve", "未到期责任准备金", "wan_cny", "reserves", D("90251.81"), 2),
    Figure("outstanding_claims_reserve", "未决赔款准备金", "wan_cny", "reserves", D("53106.29"), 2),
    Figure("core_solvency_ratio", "核心偿付能力充足率", "percent", "solvency", D("207.2401"), 2),
    Figure("core_solvency_surplus", "核心偿付能力溢额", "wan_cny", "solvency", D("49961.09"), 2),
    Figure("comprehensive_solvency_ratio", "综合偿付能力充足率", "percent", "solvency", D("208.7132"), 2),
    Figure("comprehensive_solvency_surplus", "综合偿付能力溢额", "wan_cny", "solvency", D("50644.03"), 2),
    Figure("integrated_risk_rating", "风险综合评级", "grade", "solvency", "BB", 0),
    Figure("rpt_count", "关联交易笔数", "count", "related_party", D("35"), 0),
    Figure("rpt_amount", "关联交易金额", "wan_cny", "related_party", D("54595.18"), 2),
    Figure("rpt_unified_agreements", "统一交易协议份数", "count", "related_party", D("5"), 0),
]
SERIES_DATA = {
    "premium_by_line": [
        ("health", D("201406.004")),
        ("accident", D("5000.004")),
        ("credit", D("2000.004")),
        ("surety", D("1777.778")),
    ],
    "claims_paid_by_quarter": [("2025Q1", D("4000.125")), ("2025Q2", D("4739.04"))],
    "solvency_ratio_by_quarter": [("2025Q1", D("215.3")), ("2025Q2", D("208.71"))],
}
PREVIOUS = {"premium_income_original": D("190000.005"), "claims_paid": D("7000.00"), "integrated_risk_rating": "BBB"}


@pytest.fixture(scope="module")
def report() -> ReportInput:
    return ReportInput("众惠财产相互保险社 2025上半年经营情况报告", "2025H1", FIGURES, PREVIOUS, SERIES_DATA)


@pytest.fixture(scope="module")
def files(report: ReportInput) -> dict[str, bytes]:
    return render_package_files(report)


def test_file_set(files: dict[str, bytes]) -> None:
    sections = ["claims", "finance", "investment", "operations", "related_party", "reserves", "service", "solvency"]
    expected = {"tables.xlsx", "report.html", "report.pdf"} | {f"table_{key}.csv" for key in sections}
    expected |= {f"table_{key}.csv" for key in SERIES_DATA}
    assert set(files) == expected


def test_byte_identical_twice(report: ReportInput, files: dict[str, bytes]) -> None:
    again = render_package_files(report)
    assert list(again) == list(files)
    for name, data in files.items():
        assert again[name] == data, name


def test_round_half_up() -> None:
    assert round_half_up(D("8739.165"), 2) == D("8739.17")
    assert round_half_up(D("-8739.165"), 2) == D("-8739.17")
    assert round_half_up(D("2.5"), 0) == D("3")
    assert display(D("8739.165"), 2) == "8,739.17"
    assert display(D("210183.7900000000"), 2) == "210,183.79"
    assert display("BB", 0) == "BB"


def test_footing_total_is_rounded_full_precision_total() -> None:
    spec = next(s for s in SERIES if s.key == "premium_by_line")
    table = series_table(spec, SERIES_DATA["premium_by_line"])
    *lines, total = table.rows
    assert total.is_total and total.name_zh == "合计"
    # rows round to 201406.00 + 5000.00 + 2000.00 + 1777.78 = 210183.78; the full-precision total is 210183.79
    assert sum(round_half_up(row.current, 2) for row in lines) == D("210183.78")
    assert total.current_display == "210,183.79"


def test_xlsx(files: dict[str, bytes]) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(files["tables.xlsx"]))
    assert workbook.sheetnames[0] == "产品经营情况"
    assert {"赔付支出情况", "偿付能力情况", "关联交易情况", "会员服务情况", "说明"} <= set(workbook.sheetnames)
    sheet = workbook["产品经营情况"]
    assert [cell.value for cell in sheet[1]] == ["指标代码", "指标名称", "单位", "本期", "上期"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    premium = rows["premium_income_original"]
    assert premium[2].value == "万元"
    assert premium[3].value == 210183.79
    assert premium[3].number_format == "#,##0.00"
    assert premium[4].value == 190000.01
    assert rows["premium_share_health"][2].value == "%"
    assert workbook["赔付支出情况"]["D2"].value == 8739.17
    assert workbook["会员服务情况"]["C2"].value == "件"
    total = list(workbook["原保费收入（按险种）"].iter_rows(values_only=True))[-1]
    assert total[:4] == ("total", "合计", "万元", 210183.79)


def test_xlsx_zip_is_normalised(files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(files["tables.xlsx"])) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core


def test_csv(files: dict[str, bytes]) -> None:
    rows = list(csv.reader(io.StringIO(files["table_operations.csv"].decode("utf-8-sig"))))
    assert rows[0] == ["指标代码", "指标名称", "单位", "本期", "上期"]
    assert rows[1] == ["premium_income_original", "原保费收入", "万元", "210183.79", "190000.01"]
    assert rows[3] == ["premium_share_health", "健康险保费占比", "%", "95.82", ""]
    claims = list(csv.reader(io.StringIO(files["table_claims_paid_by_quarter.csv"].decode("utf-8-sig"))))
    assert claims[-1] == ["total", "合计", "万元", "8739.17", ""]


def test_html(files: dict[str, bytes]) -> None:
    html = files["report.html"].decode("utf-8")
    for heading in (
        "第二部分 经营情况",
        "第一节 产品经营情况",
        "第二节 赔付支出情况",
        "第三节 财务运营情况",
        "第四节 资金运用情况",
        "第五节 准备金提取情况",
        "第六节 偿付能力情况",
        "第七节 关联交易情况",
    ):
        assert heading in html
    assert "210,183.79" in html
    assert (
        "报告期内，本社累计实现原保费收入 210,183.79 万元。其中，健康险保费收入 201,406.00 万元，占比 95.82%。" in html
    )
    assert "2025 年上半年，本社赔付支出 8,739.17 万元。" in html
    assert "本社偿付能力充足。" in html
    assert html.count("<svg") == 3
    assert "尾差" in html
    assert not re.search(r"(src|href)=\"?(https?:)?//", html), "the HTML must not reference external URLs"


def test_paragraphs_skip_missing_figures(report: ReportInput) -> None:
    partial = ReportInput(report.title_zh, "2025H1", [FIGURES[0], FIGURES[8]], {}, {})
    assert section_paragraphs(partial, "operations") == ["报告期内，本社累计实现原保费收入 210,183.79 万元。"]
    assert section_paragraphs(partial, "finance") == ["截至 2025 年 6 月 30 日，本社资产总额为 489,769.19 万元。"]
    files = render_package_files(partial)
    assert set(files) == {"tables.xlsx", "report.html", "report.pdf", "table_operations.csv", "table_finance.csv"}
    html = files["report.html"].decode("utf-8")
    assert "第六节" not in html and "<svg" not in html


def test_unknown_section_is_refused(report: ReportInput) -> None:
    bad = Figure("x", "未知", "count", "marketing", D(1), 0)
    with pytest.raises(ValueError, match="marketing"):
        render_package_files(ReportInput(report.title_zh, "2025H1", [bad], {}, {}))


def test_section_titles_follow_the_seed() -> None:
    assert SECTION_BY_KEY["reserves"].heading_zh == "第五节 准备金提取情况"


def test_pdf(files: dict[str, bytes]) -> None:
    pdf = files["report.pdf"]
    assert pdf.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 0
    text = "".join(page.extract_text() for page in reader.pages)
    assert "210,183.79" in text
    assert "产品经营情况" in text


def test_charts_fall_back_to_english_without_a_cjk_font(report: ReportInput, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.report import charts

    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    premium = next(chart for chart in charts.build_charts(report) if chart.key == "premium_mix")
    svg = charts.chart_svg(premium)
    assert "Original premium by line" in svg and "Health" in svg
    assert not re.search(r"[\u4e00-\u9fff]", svg)
    assert charts.chart_png(premium).startswith(b"\x89PNG")


def test_identical_in_another_process(files: dict[str, bytes]) -> None:
    script = (
        "import hashlib, json, sys; sys.path.insert(0, 'tests'); import test_report as t;"
        "from orchestration.report import ReportInput, render_package_files;"
        "r = ReportInput('众惠财产相互保险社 2025上半年经营情况报告', '2025H1', t.FIGURES, t.PREVIOUS, t.SERIES_DATA);"
        "print(json.dumps({k: hashlib.sha256(v).hexdigest() for k, v in render_package_files(r).items()}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, check=True)
    assert json.loads(result.stdout) == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
