"""The report's Chinese prose: one paragraph per section in the seed report's style, and the notes."""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal

from orchestration.periods import Period
from orchestration.report.model import Figure, ReportInput
from orchestration.report.tables import with_unit


@dataclass(frozen=True)
class Sentence:
    """A prefix and clauses; a clause is written when all the figures it names exist."""

    prefix: str
    clauses: tuple[str, ...]


RESERVES_BASIS = (
    "本社以资产负债表日可获取的当前信息为基础，按照《保险公司非寿险业务准备金管理办法》（中国银行保险监督管理委员会令 "
    "11 号）及《关于印发保险公司非寿险业务准备金管理办法实施细则（1—7 号）》（银保监规〔2022〕6 号）"
    "合理计提各项责任准备金。"
)
SENTENCES: dict[str, tuple[Sentence, ...]] = {
    "operations": (
        Sentence("报告期内，本社", ("累计实现原保费收入 {premium_income_original}",)),
        Sentence("其中，", ("健康险保费收入 {premium_income_health}，占比 {premium_share_health}",)),
    ),
    "claims": (Sentence("{during}，本社", ("赔付支出 {claims_paid}",)),),
    "finance": (
        Sentence(
            "{end}，本社",
            ("资产总额为 {total_assets}", "负债总额 {total_liabilities}", "本社净资产 {net_assets}"),
        ),
        Sentence("{during}，本社", ("实现利润总额 {profit_before_tax}",)),
    ),
    "investment": (
        Sentence(
            "{end}，按照资产负债管理口径，本社",
            ("可运用资金净额为 {investable_funds_net}", "实现综合投资收益率为 {comprehensive_investment_yield}"),
        ),
    ),
    "reserves": (
        Sentence(
            "{end}，本社",
            ("提取未到期责任准备金 {unearned_premium_reserve}", "提取未决赔款准备金 {outstanding_claims_reserve}"),
        ),
    ),
    "solvency": (
        Sentence(
            "{end}，本社",
            (
                "核心偿付能力充足率为 {core_solvency_ratio}",
                "核心偿付能力溢额 {core_solvency_surplus}",
                "综合偿付能力充足率为 {comprehensive_solvency_ratio}",
                "综合偿付能力溢额 {comprehensive_solvency_surplus}",
            ),
        ),
        Sentence("最近时点监管机构发布的本社", ("风险综合评级为{integrated_risk_rating}",)),
    ),
    "related_party": (
        Sentence("{months}，本社", ("共发生 {rpt_count}关联交易", "交易金额合计 {rpt_amount}")),
        Sentence("{months}，本社", ("签署、续签共 {rpt_unified_agreements}统一交易协议",)),
    ),
    "service": (
        Sentence("{end}，本社", ("会员人数 {members_end}",)),
        Sentence(
            "{during}，本社",
            (
                "赔付件数 {claims_count}",
                "线上报案率 {online_report_rate}",
                "单证齐全 1 日结案率 {one_day_settlement_rate}",
                "最快理赔时效 {fastest_settlement_seconds}",
                "医疗垫付案均 {medical_advance_avg}",
            ),
        ),
    ),
}
# C-ROSS: solvency is adequate with core >= 50 %, comprehensive >= 100 % and an integrated risk rating of B or above.
ADEQUATE_RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B")

NOTES = (
    "金额单位为万元，保留两位小数；比率单位为 %；件数、人数、笔数、份数为计数；时效单位为秒。",
    "各项数字由全精度计算结果按四舍五入（ROUND_HALF_UP，0.5 进位）分别舍入至公布位数后列示。",
    "表中“合计”为各项全精度数值之和舍入后的结果，并非各项舍入后数值之和，各项列示数之和与合计数之间可能存在尾差。",
    "“上期”为上一可比期间的数据；“—”表示无可比数据。",
)


def period_name(period: str) -> str:
    """``2025H1`` as ``2025 年上半年`` (``2025 年第二季度`` for a quarter); other labels unchanged."""
    try:
        parsed = Period.parse(period)
    except ValueError:
        return period
    if parsed.is_quarter:
        return f"{parsed.year} 年第{'一二三四'[parsed.number - 1]}季度"
    return f"{parsed.year} 年{'上下'[parsed.number - 1]}半年"


def period_phrases(period: str) -> dict[str, str]:
    """How the prose names the period: ``2025 年上半年``, ``截至 2025 年 6 月 30 日``, ``2025 年 1 月至 6 月期间``."""
    try:
        parsed = Period.parse(period)
    except ValueError:
        return {"during": "报告期内", "end": "报告期末", "months": "报告期内"}
    end = parsed.end
    return {
        "during": period_name(period),
        "end": f"截至 {end.year} 年 {end.month} 月 {end.day} 日",
        "months": f"{parsed.year} 年 {parsed.start.month} 月至 {end.month} 月期间",
    }


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def section_paragraphs(report: ReportInput, section: str) -> list[str]:
    """The section's paragraphs: a sentence for each group of figures that exists."""
    figures = {f.code: f for f in report.figures if f.section == section}
    values = {code: with_unit(f.value, f.decimals, f.unit, code) for code, f in figures.items()}
    phrases = period_phrases(report.period)
    sentences = []
    for sentence in SENTENCES.get(section, ()):
        clauses = [c.format(**values) for c in sentence.clauses if all(n in values for n in _fields(c))]
        if clauses:
            sentences.append(sentence.prefix.format(**phrases) + "，".join(clauses) + "。")
    if section == "solvency":
        sentences[1:1] = _solvency_verdict(figures)
    paragraphs = ["".join(sentences)] if sentences else []
    if section == "reserves":
        paragraphs.insert(0, RESERVES_BASIS)
    return paragraphs


def _solvency_verdict(figures: dict[str, Figure]) -> list[str]:
    """``本社偿付能力充足。`` when both ratios (and the rating, if given) meet the C-ROSS thresholds."""
    core, comprehensive = figures.get("core_solvency_ratio"), figures.get("comprehensive_solvency_ratio")
    if core is None or comprehensive is None:
        return []
    rating = figures.get("integrated_risk_rating")
    adequate = (
        Decimal(core.value) >= 50
        and Decimal(comprehensive.value) >= 100
        and (rating is None or str(rating.value) in ADEQUATE_RATINGS)
    )
    return ["本社偿付能力充足。" if adequate else "本社偿付能力未达到监管要求。"]
