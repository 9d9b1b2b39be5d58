"""Reinsurance, investments, capital and regulator inputs (not calibrated yet: plausible and consistent), and the
ledger built from them (``ledger.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import numpy as np
import pyarrow as pa

from orchestration.generator.claims import ClaimBook
from orchestration.generator.ids import make_ids
from orchestration.generator.ledger import INCOME_TYPES, INVESTMENT_ACCOUNTS, build_ledger
from orchestration.generator.money import allocate, compact_fen, money, rate, wan_to_fen
from orchestration.generator.policy import ACCIDENT, BATCH, HEALTH, PolicyBook, policy_ids
from orchestration.generator.scenario import Scenario
from orchestration.generator.sources import Sources
from orchestration.generator.timeline import DAY, Window, compact_seconds, day_number, month_ends

QUOTA_SHARE_RATES = (0.15, 0.15, 0.18, 0.15, 0.12)
REINSURERS = (
    ("中国财产再保险有限责任公司", True),
    ("汉诺威再保险股份公司上海分公司", True),
    ("慕尼黑再保险公司北京分公司", True),
)
CEDING_COMMISSION = 0.35
RATINGS = ("AAA", "AA", "A", "BBB", "BB", "B", "C", "D")


def _year_day(year: int, month: int, day: int) -> int:
    return day_number(date(year, month, day))


def _reinsurance(
    window: Window, rng: np.random.Generator, book: PolicyBook, claims: ClaimBook, xl_rate: float = 0.0
) -> tuple[Sources, dict]:
    """Yearly quota-share treaties on health (and an excess-of-loss on accident), cessions per health policy by
    underwriting year, recoveries on paid health claims. With ``xl_rate`` (the scenario input
    ``excess_of_loss_premium_rate``) each accident policy also cedes that share of its premium to the year's
    excess-of-loss treaty, booked a day after issue, without commission."""
    years = np.arange(window.quarters[0].year, window.period.year + 1)
    qs_rate = np.array([QUOTA_SHARE_RATES[i % len(QUOTA_SHARE_RATES)] for i in range(years.size)])
    inception = np.array([_year_day(y, 1, 1) for y in years])
    treaties = {
        "treaty_id": [f"QS{y}H" for y in years] + [f"XL{y}A" for y in years],
        "reinsurer_name": [REINSURERS[i % 3][0] for i in range(years.size)] + ["瑞士再保险股份有限公司"] * years.size,
        "reinsurer_domestic": [REINSURERS[i % 3][1] for i in range(years.size)] + [False] * years.size,
        "treaty_type": ["quota_share"] * years.size + ["excess_of_loss"] * years.size,
        "line_of_business": ["health"] * years.size + ["accident"] * years.size,
        "cession_rate": np.concatenate([qs_rate, np.zeros(years.size)]),
        "inception_date": np.concatenate([inception, inception]),
        "expiry_date": np.concatenate([[_year_day(y, 12, 31) for y in years]] * 2),
    }

    def treaties_at(day: int) -> pa.Table:
        rows = np.flatnonzero(treaties["inception_date"] <= day)
        return pa.table(
            {
                "treaty_id": pa.array(treaties["treaty_id"]).take(pa.array(rows)),
                "reinsurer_name": pa.array(treaties["reinsurer_name"]).take(pa.array(rows)),
                "reinsurer_domestic": pa.array(treaties["reinsurer_domestic"]).take(pa.array(rows)),
                "treaty_type": pa.array(treaties["treaty_type"]).take(pa.array(rows)),
                "line_of_business": pa.array(treaties["line_of_business"]).take(pa.array(rows)),
                "cession_rate": rate(treaties["cession_rate"][rows]),
                "inception_date": pa.array(treaties["inception_date"][rows].astype(np.int32), pa.date32()),
                "expiry_date": pa.array(treaties["expiry_date"][rows].astype(np.int32), pa.date32()),
            }
        )

    ceded = np.flatnonzero(book.line == HEALTH).astype(np.int32)
    treaty = np.searchsorted(inception, book.start_day[ceded], side="right") - 1
    booked = np.minimum(book.issued_ts[ceded] + rng.integers(3600, 3 * DAY, ceded.size), window.end_ts)
    premium = np.round(book.premium_fen[ceded] * qs_rate[treaty]).astype(np.int64)
    commission = np.round(premium * CEDING_COMMISSION).astype(np.int64)
    if xl_rate:
        excess = np.flatnonzero(book.line == ACCIDENT).astype(np.int32)
        xl_treaty = years.size + np.searchsorted(inception, book.start_day[excess], side="right") - 1
        xl_premium = np.round(book.premium_fen[excess] * xl_rate).astype(np.int64)
        ceded, treaty = np.concatenate([ceded, excess]), np.concatenate([treaty, xl_treaty])
        booked = np.concatenate([booked, np.minimum(book.issued_ts[excess] + DAY, window.end_ts)])
        premium = np.concatenate([premium, xl_premium])
        commission = np.concatenate([commission, np.zeros(excess.size, dtype=np.int64)])
    order = np.argsort(booked, kind="stable")  # every cession array in booking order from here on
    ceded, treaty = ceded[order], treaty[order].astype(np.int8)
    booked = compact_seconds(booked[order], window.end_ts)
    premium, commission = compact_fen(premium[order]), compact_fen(commission[order])
    del order
    treaty_ids = pa.array(treaties["treaty_id"])

    cessions = _cession_batches(
        {"treaty_id": lambda index: treaty_ids.take(pa.array(index)), "policy_id": policy_ids},
        {"treaty_id": treaty, "policy_id": ceded},
        booked,
        premium,
        commission,
    )
    paid = np.flatnonzero((claims.final_paid_ts >= 0) & (book.line[claims.policy] == HEALTH))
    claim_treaty = np.searchsorted(inception, book.start_day[claims.policy[paid]], side="right") - 1
    recovered_at = claims.final_paid_ts[paid] + rng.integers(DAY, 20 * DAY, paid.size)
    keep = recovered_at <= window.end_ts
    paid, claim_treaty, recovered_at = paid[keep], claim_treaty[keep], recovered_at[keep]
    recovered = np.round(claims.paid_fen[paid] * qs_rate[claim_treaty]).astype(np.int64)
    order = np.argsort(recovered_at, kind="stable")
    recoveries = pa.table(
        {
            "recovery_id": make_ids("RC", np.arange(1, paid.size + 1), 9),
            "treaty_id": treaty_ids.take(pa.array(claim_treaty[order])),
            "claim_id": claims.claim_ids.take(pa.array(paid[order])),
            "booked_at": pa.array(recovered_at[order], pa.timestamp("s")),
            "amount": money(recovered[order]),
        }
    )
    flows = {
        "ceded": (booked, premium),
        "commission": (booked, commission),
        "recovered": (recovered_at, recovered),
    }
    return Sources(
        events={"reinsurance/cessions": cessions, "reinsurance/recoveries": recoveries},
        snapshots={"reinsurance/treaties": treaties_at},
    ), flows


def _cession_batches(
    ids: dict[str, Callable[[np.ndarray], pa.Array]], index: dict[str, np.ndarray], booked, premium, commission
) -> Iterator[pa.Table]:
    """Cessions (arrays in booking order), numbered, built in batches as they are written; ``ids``: each id column's
    values from the row's ``index`` into them."""
    for lo in range(0, booked.size, BATCH):
        rows = slice(lo, lo + BATCH)
        count = booked[rows].size
        yield pa.table(
            {
                "cession_id": make_ids("CS", np.arange(lo + 1, lo + count + 1), 10),
                **{name: make(index[name][rows]) for name, make in ids.items()},
                "booked_at": pa.array(booked[rows].astype(np.int64), pa.timestamp("s")),
                "ceded_premium": money(premium[rows]),
                "ceding_commission": money(commission[rows]),
            }
        )


# (asset class, counterparty type, issuer, currency, rating, coupon, years to maturity at purchase, weight)
SECURITIES = [
    ("demand_deposit", "big_five_bank", "中国工商银行贵阳分行", "CNY", None, 0.0035, 0, 0.05),
    ("demand_deposit", "big_five_bank", "中国建设银行贵州省分行", "CNY", None, 0.0035, 0, 0.04),
    ("demand_deposit", "big_five_bank", "中国银行香港分行", "USD", None, 0.01, 0, 0.015),
    ("term_deposit", "joint_stock_bank", "招商银行贵阳分行", "CNY", None, 0.029, 3, 0.06),
    ("term_deposit", "joint_stock_bank", "兴业银行贵阳分行", "CNY", None, 0.031, 3, 0.05),
    ("term_deposit", "city_commercial_bank", "贵阳银行", "CNY", None, 0.034, 2, 0.05),
    ("term_deposit", "city_commercial_bank", "贵州银行", "CNY", None, 0.0335, 3, 0.05),
    ("term_deposit", "joint_stock_bank", "浦发银行贵阳分行", "CNY", None, 0.028, 1, 0.03),
    ("term_deposit", "big_five_bank", "中国农业银行贵州省分行", "CNY", None, 0.0245, 2, 0.03),
    ("government_bond", "government", "中华人民共和国财政部", "CNY", None, 0.0268, 5, 0.06),
    ("government_bond", "government", "中华人民共和国财政部", "CNY", None, 0.0305, 10, 0.05),
    ("government_bond", "government", "贵州省人民政府", "CNY", "AAA", 0.0295, 7, 0.04),
    ("government_bond", "government", "中华人民共和国财政部", "CNY", None, 0.0225, 3, 0.03),
    ("policy_bank_bond", "policy_bank", "国家开发银行", "CNY", None, 0.0285, 5, 0.05),
    ("policy_bank_bond", "policy_bank", "中国进出口银行", "CNY", None, 0.0275, 3, 0.04),
    ("policy_bank_bond", "policy_bank", "中国农业发展银行", "CNY", None, 0.0301, 7, 0.04),
    ("corporate_bond", "corporate", "国家电网有限公司", "CNY", "AAA", 0.0315, 5, 0.04),
    ("corporate_bond", "corporate", "中国石油化工集团有限公司", "CNY", "AAA", 0.0298, 3, 0.03),
    ("corporate_bond", "corporate", "贵州高速公路集团有限公司", "CNY", "AA+", 0.0425, 5, 0.03),
    ("corporate_bond", "corporate", "贵阳市城市建设投资集团有限公司", "CNY", "AA+", 0.0455, 3, 0.02),
    ("corporate_bond", "corporate", "遵义市投资（集团）有限责任公司", "CNY", "AA", 0.052, 3, 0.015),
    ("corporate_bond", "corporate", "中国长江三峡集团有限公司", "CNY", "AAA", 0.0305, 7, 0.03),
    ("bond_fund", "fund_manager", "易方达基金管理有限公司", "CNY", None, 0.03, 0, 0.04),
    ("bond_fund", "fund_manager", "南方基金管理股份有限公司", "CNY", None, 0.029, 0, 0.03),
    ("money_market_fund", "fund_manager", "天弘基金管理有限公司", "CNY", None, 0.018, 0, 0.03),
    ("money_market_fund", "fund_manager", "华夏基金管理有限公司", "CNY", None, 0.019, 0, 0.02),
    ("equity_fund", "fund_manager", "嘉实基金管理有限公司", "CNY", None, 0.0, 0, 0.015),
    ("equity_fund", "fund_manager", "华夏基金（香港）有限公司", "HKD", None, 0.0, 0, 0.01),
    ("listed_equity", "exchange", "中国平安保险（集团）股份有限公司", "HKD", None, 0.0, 0, 0.008),
    ("listed_equity", "exchange", "贵州茅台酒股份有限公司", "CNY", None, 0.0, 0, 0.008),
    ("reverse_repo", "exchange", "上海证券交易所", "CNY", None, 0.018, 0, 0.02),
    # More CNY main-board equities (after the others, so that earlier holding ids keep their numbers): the
    # calibration spreads its shift over every CNY listed equity, each well below 5 % of total assets.
    ("listed_equity", "exchange", "中国长江电力股份有限公司", "CNY", None, 0.0, 0, 0.006),
    ("listed_equity", "exchange", "中国神华能源股份有限公司", "CNY", None, 0.0, 0, 0.006),
    ("listed_equity", "exchange", "中国建筑股份有限公司", "CNY", None, 0.0, 0, 0.006),
    ("listed_equity", "exchange", "贵州轮胎股份有限公司", "CNY", None, 0.0, 0, 0.004),
]
FX = {"CNY": 1.0, "USD": 7.15, "HKD": 0.915, "EUR": 7.8}
CALIBRATION_EQUITIES = np.array(  # the CNY main-board equities (R8 equity risk) the calibration shift goes into
    [i for i, security in enumerate(SECURITIES) if security[0] == "listed_equity" and security[3] == "CNY"]
)


def calibration_pool(klass: np.ndarray, currency: np.ndarray, held_last: np.ndarray) -> np.ndarray:
    """The holdings the calibration shift draws from at the period end: CNY bank deposits held then."""
    return np.flatnonzero(np.isin(klass, ["demand_deposit", "term_deposit"]) & (currency == "CNY") & held_last)


def shift_to_equity(amounts: np.ndarray, pool: np.ndarray, shift: int) -> np.ndarray:
    """Per-holding change of the period-end amounts (fen) that moves ``shift`` fen from the deposits in ``pool``
    (in proportion to their amounts) into the calibration equities (``CALIBRATION_EQUITIES``, equal shares)."""
    change = np.zeros(amounts.size, dtype=np.int64)
    if shift:
        if shift > int(amounts[pool].sum()) or -shift > equity_shift_floor(amounts):
            raise ValueError(f"calibration: cannot move {shift} fen between deposits and equity")
        change[pool] = -allocate(shift, amounts[pool])
        change[CALIBRATION_EQUITIES] += allocate(shift, np.ones(CALIBRATION_EQUITIES.size))
    return change


def equity_shift_floor(amounts: np.ndarray) -> int:
    """The largest shift (fen) out of the calibration equities in equal shares: what the smallest holds, each."""
    return int(amounts[CALIBRATION_EQUITIES].min()) * CALIBRATION_EQUITIES.size


def _investments(
    scenario: Scenario, window: Window, rng: np.random.Generator, equity_shift: int = 0
) -> tuple[Sources, dict]:
    """Month-end holdings growing to the period end's investable funds (net of repo financing, most months), valuations
    of marketable securities, income items; the period's comprehensive yield hits its target through fair-value
    changes. ``equity_shift`` fen move from the CNY deposits into the calibration equities at the period end (the
    investment mix that gives the minimum-capital target, see ``calibration.py``)."""
    months = month_ends(window.start_day, window.end_day)
    n_months, n_sec = months.size, len(SECURITIES)
    klass = np.array([s[0] for s in SECURITIES])
    currency = np.array([s[3] for s in SECURITIES])
    coupon = np.array([s[5] for s in SECURITIES])
    # Positions open and close: each security is held over a random stretch of months (deposits and core bonds longer).
    opens = np.where(rng.random(n_sec) < 0.6, 0, rng.integers(0, n_months // 2, n_sec))
    closes = np.where(rng.random(n_sec) < 0.7, n_months, rng.integers(n_months // 2, n_months, n_sec))
    closes[CALIBRATION_EQUITIES] = n_months  # held to the period end: the calibration moves funds into them
    held = (np.arange(n_months)[None, :] >= opens[:, None]) & (np.arange(n_months)[None, :] < closes[:, None])
    net = scenario.fen("investable_funds_net", 183_400) * 0.55 ** (
        (n_months - 1 - np.arange(n_months)) / max(n_months - 1, 1)
    )
    financing_month = rng.random(n_months) < 0.7
    financing_month[-1] = True
    f_months = np.flatnonzero(financing_month)
    f_amount = np.round(net[f_months] * rng.uniform(0.05, 0.12, f_months.size)).astype(np.int64)
    total = net.copy()
    total[f_months] += f_amount
    weights = np.array([s[7] for s in SECURITIES])[:, None] * held * rng.lognormal(0, 0.05, (n_sec, n_months))
    amount_cny = np.round(weights / weights.sum(axis=0) * total).astype(np.int64)
    amount_cny[:, -1] = allocate(round(total[-1]), weights[:, -1])
    pool = calibration_pool(klass, currency, held[:, -1])
    amount_cny[:, -1] += shift_to_equity(amount_cny[:, -1], pool, equity_shift)
    fx = np.array([FX[c] for c in currency])[:, None] * (1 + np.cumsum(rng.normal(0, 0.006, (n_sec, n_months)), axis=1))
    fx[currency == "CNY"] = 1.0
    amount_original = np.round(amount_cny / fx).astype(np.int64)
    bond = np.isin(klass, ["government_bond", "policy_bank_bond", "corporate_bond"])
    years = np.array([s[6] for s in SECURITIES], dtype=np.float64)
    age = (np.arange(n_months)[None, :] - opens[:, None]) / 12
    duration = np.where(bond[:, None], np.maximum(years[:, None] - age, 0.1) * 0.93, np.nan)
    security_ids = np.array([f"S{i + 1:04d}" for i in range(n_sec)])
    s_idx, m_idx = np.nonzero(held.T)[1], np.nonzero(held.T)[0]
    rating = np.array([s[4] or "" for s in SECURITIES])[s_idx]
    holdings = pa.table(
        {
            "as_of_date": pa.array(np.concatenate([months[m_idx], months[f_months]]).astype(np.int32), pa.date32()),
            "holding_id": pa.array(
                np.concatenate([np.char.add("H", security_ids[s_idx]), np.full(f_months.size, "HREPO-F")])
            ),
            "security_id": pa.array(np.concatenate([security_ids[s_idx], np.full(f_months.size, "204001")])),
            "asset_class": pa.array(np.concatenate([klass[s_idx], np.full(f_months.size, "reverse_repo")])),
            "currency": pa.array(np.concatenate([currency[s_idx], np.full(f_months.size, "CNY")])),
            "amount_original": money(np.concatenate([amount_original[s_idx, m_idx], f_amount])),
            "amount_cny": money(np.concatenate([amount_cny[s_idx, m_idx], f_amount])),
            "rating": pa.array(
                np.concatenate([rating, np.full(f_months.size, "")]),
                mask=np.concatenate([rating == "", np.ones(f_months.size, bool)]),
            ),
            "modified_duration": rate(
                np.concatenate([duration[s_idx, m_idx], np.zeros(f_months.size)]),
                np.concatenate([bond[s_idx], np.zeros(f_months.size, bool)]),
            ),
            "issuer": pa.array(
                np.concatenate([np.array([s[2] for s in SECURITIES])[s_idx], np.full(f_months.size, "上海证券交易所")])
            ),
            "counterparty_type": pa.array(
                np.concatenate([np.array([s[1] for s in SECURITIES])[s_idx], np.full(f_months.size, "exchange")])
            ),
            "is_financing": pa.array(np.concatenate([np.zeros(s_idx.size, bool), np.ones(f_months.size, bool)])),
        }
    )

    marketable = ~np.isin(klass, ["demand_deposit", "term_deposit", "reverse_repo"])
    v_s, v_m = s_idx[marketable[s_idx]], m_idx[marketable[s_idx]]
    fair = np.round(amount_cny[v_s, v_m] * (1 + rng.normal(0, 0.004, v_s.size))).astype(np.int64)
    valuations = pa.table(
        {
            "security_id": pa.array(security_ids[v_s]),
            "valuation_date": pa.array(months[v_m].astype(np.int32), pa.date32()),
            "fair_value_cny": money(fair),
        }
    )
    interest = np.round(amount_cny[s_idx, m_idx] * coupon[s_idx] / 12).astype(np.int64)
    equity_like = np.isin(klass, ["equity_fund", "listed_equity", "bond_fund"])
    fv = np.round(amount_cny[s_idx, m_idx] * rng.normal(0.001, 0.02, s_idx.size) * equity_like[s_idx]).astype(np.int64)
    quarter_end = (np.datetime64("1970-01-01") + months[m_idx]).astype("datetime64[M]").astype(np.int64) % 3 == 2
    dividend = np.round(amount_cny[s_idx, m_idx] * 0.006 * (klass[s_idx] == "listed_equity") * quarter_end).astype(
        np.int64
    )
    last_month = closes[s_idx] - 1 == m_idx
    realised = np.round(
        amount_cny[s_idx, m_idx] * rng.normal(0.004, 0.01, s_idx.size) * last_month * (closes[s_idx] < n_months)
    ).astype(np.int64)
    impaired = np.flatnonzero(
        (klass[s_idx] == "corporate_bond") & (np.array([s[4] for s in SECURITIES])[s_idx] == "AA")
    )
    impairment = np.zeros(s_idx.size, dtype=np.int64)
    if impaired.size:
        impairment[impaired[-1]] = round(amount_cny[s_idx[impaired[-1]], m_idx[impaired[-1]]] * 0.02)
    f_interest = np.round(f_amount * 0.019 / 12).astype(np.int64)
    yield_target = scenario.targets.get("comprehensive_investment_yield")
    if yield_target is not None:  # the period's signed income = yield × mean investable funds (7 points a half year)
        points = (months >= day_number(scenario.period.start) - 1) & (months <= window.end_day)
        financed = np.zeros(n_months, dtype=np.int64)
        financed[f_months] = f_amount
        mean_net = float((amount_cny.sum(axis=0) - financed)[points].mean())
        in_period = months[m_idx] >= day_number(scenario.period.start)
        signed = (interest * ~equity_like[s_idx] + dividend + fv + realised - impairment)[in_period].sum()
        signed -= f_interest[months[f_months] >= day_number(scenario.period.start)].sum()
        goal = round(float(yield_target.value) / 100 * mean_net)
        rows = np.flatnonzero(in_period & equity_like[s_idx])
        fv[rows] += allocate(goal - int(signed), rng.uniform(0.5, 1.5, rows.size))
    kinds = [
        ("interest", interest, ~equity_like[s_idx] & (interest > 0)),
        ("dividend", dividend, dividend > 0),
        ("fair_value_change", fv, fv != 0),
        ("realised_gain", realised, realised != 0),
        ("impairment", impairment, impairment > 0),
    ]
    ids, types, days, amounts = [], [], [], []
    for name, values, keep in kinds:  # five income types, vectorised within each
        ids.append(security_ids[s_idx][keep])
        types.append(np.full(keep.sum(), name))
        days.append(months[m_idx][keep])
        amounts.append(values[keep])
    ids.append(np.full(f_months.size, "204001"))
    types.append(np.full(f_months.size, "financing_interest"))
    days.append(months[f_months])
    amounts.append(f_interest)
    day = np.concatenate(days)
    order = np.argsort(day, kind="stable")
    income_amount = np.concatenate(amounts)
    income = pa.table(
        {
            "income_id": make_ids("II", np.arange(1, day.size + 1), 7),
            "security_id": pa.array(np.concatenate(ids)[order]),
            "income_type": pa.array(np.concatenate(types)[order]),
            "booked_on": pa.array(day[order].astype(np.int32), pa.date32()),
            "amount": money(income_amount[order]),
        }
    )
    sign = np.where(np.isin(np.concatenate(types), ["impairment", "financing_interest"]), -1, 1)
    account = np.select(
        [
            klass == "term_deposit",
            klass == "demand_deposit",  # held with the custodian: other monetary funds
            klass == "reverse_repo",
            bond & (klass != "corporate_bond"),
            klass == "corporate_bond",
        ],
        ["1521", "1012", "1111", "1501", "1503"],
        "1101",
    )
    positions = {code: (amount_cny * (account == code)[:, None]).sum(axis=0) for code in INVESTMENT_ACCOUNTS}
    positions["2001"] = np.zeros(n_months, dtype=np.int64)
    positions["2001"][f_months] = f_amount
    all_types = np.concatenate(types)
    flows = {
        "income": {t: (day[all_types == t] * DAY, income_amount[all_types == t]) for t in INCOME_TYPES},
        "positions": positions,
        "months": months,
    }
    del sign
    return Sources(
        events={
            "investments/holdings": holdings,
            "investments/investment_income": income,
            "investments/valuations": valuations,
        }
    ), flows


def _capital() -> Sources:
    """The initial operating fund of 1 亿 CNY received from the founding members on 2017-02-14."""
    providers = [
        "贵州众诚投资控股有限公司",
        "西南汇通资产管理有限公司",
        "贵州黔信实业有限公司",
        "贵阳筑城投资发展有限公司",
        "贵州安和科技有限公司",
    ]
    principal = allocate(10_000_000_000, np.array([0.3, 0.25, 0.2, 0.15, 0.1]))
    issued = _year_day(2017, 2, 14)
    table = pa.table(
        {
            "instrument_id": [f"IOF2017{i + 1:02d}" for i in range(len(providers))],
            "instrument_type": ["initial_operating_fund"] * len(providers),
            "provider": providers,
            "issued_on": pa.array(np.full(len(providers), issued, dtype=np.int32), pa.date32()),
            "maturity_date": pa.array([None] * len(providers), pa.date32()),
            "principal": money(principal),
        }
    )
    return Sources(snapshots={"capital/capital_instruments": lambda day: table if day >= issued else table.slice(0, 0)})


def _additional_capital(scenario: Scenario, window: Window) -> pa.Table:
    """The scenario's input ``additional_capital`` (万元) as one notice effective from the period start, notified the
    day before; no rows when the scenario gives none (the regulator requires none)."""
    given = scenario.inputs.get("additional_capital")
    amounts = [] if given is None else [wan_to_fen(given.value)]
    start = day_number(window.period.start)
    return pa.table(
        {
            "notice_id": [f"NFRA-AC-{window.period.label}"] * len(amounts),
            "amount": money(np.array(amounts, dtype=np.int64)),
            "effective_from": pa.array(np.full(len(amounts), start, dtype=np.int32), pa.date32()),
            "notified_on": pa.array(np.full(len(amounts), start - 1, dtype=np.int32), pa.date32()),
        }
    )


def _regulator(scenario: Scenario, window: Window, rng: np.random.Generator) -> Sources:
    """Risk ratings per assessed quarter (the scenario's rating from the quarter before the period on), yearly SARMRA
    scores, the sector's top-15 % mean SARMRA score and the additional capital required, if any."""
    latest = str(scenario.value("integrated_risk_rating", "BBB"))
    assessed = [window.quarters[0].previous_quarter(), *window.quarters]
    labels, published, ratings = [], [], []
    for i, quarter in enumerate(assessed):  # a few dozen quarters
        day = day_number(quarter.end) + int(rng.integers(50, 75))
        if day > window.end_day:
            continue
        before_period = len(assessed) - len(scenario.period.quarters) - 1 - i
        shift = 0 if before_period <= 0 else min(2, before_period // 4)
        labels.append(quarter.label)
        published.append(day)
        ratings.append(RATINGS[max(RATINGS.index(latest) - shift, 0)])
    ratings_table = pa.table(
        {
            "assessed_period": labels,
            "rating": ratings,
            "published_on": pa.array(np.array(published, dtype=np.int32), pa.date32()),
        }
    )
    years = [
        y for y in range(window.quarters[0].year, window.period.year + 1) if _year_day(y, 11, 28) <= window.end_day
    ]
    sarmra = pa.table(
        {
            "assessment_year": pa.array(years, pa.int64()),
            "score": rate(np.round(rng.uniform(72, 79, len(years)), 2)),
            "notified_on": pa.array(np.array([_year_day(y, 11, 28) for y in years], dtype=np.int32), pa.date32()),
        }
    )
    param_years = list(range(window.quarters[0].year - 1, window.period.year + 1))
    param_values = np.round(80.5 + np.arange(len(param_years)) * 0.4 + rng.uniform(-0.2, 0.2, len(param_years)), 2)
    effective = np.array([_year_day(y, 3, 31) for y in param_years])

    def parameters_at(day: int) -> pa.Table:
        i = int(np.searchsorted(effective, day, side="right")) - 1
        return pa.table(
            {
                "parameter_code": ["sarmra_top15_mean"],
                "value": rate(param_values[i : i + 1]),
                "effective_from": pa.array(effective[i : i + 1].astype(np.int32), pa.date32()),
                "source": [f"偿付能力监管信息通报（{param_years[i] - 1}年度SARMRA评估结果）"],
            }
        )

    return Sources(
        events={
            "regulator/risk_ratings": ratings_table,
            "regulator/sarmra_scores": sarmra,
            "regulator/additional_capital": _additional_capital(scenario, window),
        },
        snapshots={"regulator/sector_parameters": parameters_at},
    )


def build_finance(
    scenario: Scenario,
    window: Window,
    rng: np.random.Generator,
    book: PolicyBook,
    claims: ClaimBook,
    equity_shift: int = 0,
) -> Sources:
    """Reinsurance, investments, capital, regulator and ledger tables."""
    xl_rate = scenario.inputs.get("excess_of_loss_premium_rate")
    reinsurance, ceded = _reinsurance(window, rng, book, claims, 0.0 if xl_rate is None else float(xl_rate.value))
    investments, invested = _investments(scenario, window, rng, equity_shift)
    parts = [
        reinsurance,
        investments,
        _capital(),
        _regulator(scenario, window, rng),
        build_ledger(scenario, window, rng, book, claims, ceded, invested),
    ]
    out = Sources()
    for part in parts:
        out.events.update(part.events)
        out.snapshots.update(part.snapshots)
    return out
