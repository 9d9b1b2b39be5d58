"""General ledger: a chart of accounts and a monthly trial balance that balances, posted from the month's premium,
claims, reserve, reinsurance and investment flows (balances carried positive on each account's normal side).

Calibration: the reserves (2701, 2702) equal the subledgers' valuation at every quarter end a close of the period
values (the quarter before the period and each of its own: `Window.valuation_days`), the investment accounts equal
the custodian's holdings at every month end; the period's general expenses give the profit target, and the opening
position before the first landed month gives total liabilities, net assets and the non-admitted assets at the period
end. Profit and loss accounts are not closed to equity inside the landed months (表结法: the year-end close is not
part of the monthly trial balance), so each month's profit is the turnover of those accounts.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.generator.balance import balance_targets
from orchestration.generator.claims import ClaimBook
from orchestration.generator.money import allocate, money
from orchestration.generator.policy import LINES, PolicyBook
from orchestration.generator.scenario import Scenario
from orchestration.generator.sources import Sources
from orchestration.generator.timeline import DAY, Window, day_number
from orchestration.generator.upr import cancelled_on, upr_exact, upr_path, written_by

ACCOUNTS = [
    ("1001", "库存现金", "asset"),
    ("1002", "银行存款", "asset"),
    ("1012", "其他货币资金-托管活期存款", "asset"),
    ("1101", "交易性金融资产", "asset"),
    ("1111", "买入返售金融资产", "asset"),
    ("1122", "应收保费", "asset"),
    ("1131", "应收分保账款", "asset"),
    ("1221", "其他应收款", "asset"),
    ("1501", "债权投资", "asset"),
    ("1503", "其他债权投资", "asset"),
    ("1521", "定期存款", "asset"),
    ("1601", "固定资产", "asset"),
    ("1701", "无形资产-软件", "asset"),
    ("1801", "存出资本保证金", "asset"),
    ("1811", "递延所得税资产", "asset"),
    ("1812", "递延所得税资产-可抵扣亏损", "asset"),
    ("1901", "长期待摊费用", "asset"),
    ("2001", "卖出回购金融资产款", "liability"),
    ("2202", "应付手续费及佣金", "liability"),
    ("2203", "预收保费", "liability"),
    ("2211", "应付职工薪酬", "liability"),
    ("2221", "应交税费", "liability"),
    ("2241", "其他应付款", "liability"),
    ("2251", "应付赔付款", "liability"),
    ("2261", "应付分保账款", "liability"),
    ("2701", "未到期责任准备金", "liability"),
    ("2702", "未决赔款准备金", "liability"),
    ("4001", "运营资金", "equity"),
    ("4101", "盈余公积", "equity"),
    ("4104", "未分配利润", "equity"),
    ("6031", "保费收入", "income"),
    ("6051", "其他业务收入", "income"),
    ("6101", "公允价值变动损益", "income"),
    ("6111", "投资收益", "income"),
    ("6201", "摊回赔付支出", "income"),
    ("6411", "利息支出", "expense"),
    ("6421", "手续费及佣金支出", "expense"),
    ("6501", "提取未到期责任准备金", "expense"),
    ("6511", "赔付支出", "expense"),
    ("6531", "分出保费", "expense"),
    ("6541", "提取未决赔款准备金", "expense"),
    ("6602", "业务及管理费", "expense"),
    ("6701", "资产减值损失", "expense"),
]
CODES = [a[0] for a in ACCOUNTS]
TYPES = np.array([a[2] for a in ACCOUNTS])
DEBIT_NORMAL = np.isin(TYPES, ["asset", "expense"])
PROFIT_AND_LOSS = np.isin(TYPES, ["income", "expense"])
INDEX = {code: i for i, code in enumerate(CODES)}
INVESTMENT_ACCOUNTS = ("1012", "1101", "1111", "1501", "1503", "1521")
FINANCING_ACCOUNT = "2001"
INCOME_TYPES = ("interest", "dividend", "realised_gain", "fair_value_change", "impairment", "financing_interest")
INCOME_POSTING = {  # income type: (debit, credit) for a positive amount
    "interest": ("1002", "6111"),
    "dividend": ("1002", "6111"),
    "realised_gain": ("1002", "6111"),
    "fair_value_change": ("1002", "6101"),
    "impairment": ("6701", "1002"),
    "financing_interest": ("6411", "1002"),
}
# Expense accounts the sub-ledger splits by line (ledger/expense_allocation), with each line's weight per CNY of
# premium (health, accident, credit, surety): commission and general expenses cost more per CNY on the small lines.
ALLOCATED_EXPENSES = {"6421": (1.0, 1.2, 0.8, 0.8), "6602": (1.0, 1.1, 1.6, 1.6)}
NON_ADMITTED = {"1701": 0.52, "1901": 0.21, "1812": 0.27}  # C-ROSS II Rule 1 Art. 10, split of the non-admitted total
OTHER_LIABILITIES = {"2241": 0.45, "2203": 0.3, "2261": 0.2, "2221": 0.05}  # what the flows leave of liabilities
OPERATING_CASH_SHARE = 0.6  # of the assets the flows leave, the rest 其他应收款 (platform settlements)


def chart_of_accounts(_day: int) -> pa.Table:
    return pa.table(
        {
            "account_code": CODES,
            "account_name": [a[1] for a in ACCOUNTS],
            "account_type": list(TYPES),
            "normal_balance": ["debit" if d else "credit" for d in DEBIT_NORMAL],
        }
    )


class Journal:
    """Monthly debit and credit turnover per account; every posting debits one account and credits another."""

    def __init__(self, n_months: int) -> None:
        self.debit = np.zeros((len(CODES), n_months), dtype=np.int64)
        self.credit = np.zeros((len(CODES), n_months), dtype=np.int64)

    def post(self, debit: str, credit: str, amounts: np.ndarray) -> None:
        """Post one amount (fen) per month; a negative amount posts the other way round."""
        amounts = np.asarray(amounts, dtype=np.int64)
        self.debit[INDEX[debit]] += np.maximum(amounts, 0)
        self.credit[INDEX[credit]] += np.maximum(amounts, 0)
        self.debit[INDEX[credit]] += np.maximum(-amounts, 0)
        self.credit[INDEX[debit]] += np.maximum(-amounts, 0)

    def movement(self) -> np.ndarray:
        """Change of each balance on its normal side, per month."""
        change = self.debit - self.credit
        return np.where(DEBIT_NORMAL[:, None], change, -change)


def _monthly(months: np.ndarray, seconds: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    index = np.searchsorted(months, seconds // DAY, side="left")
    return (
        np.bincount(index, weights=amounts.astype(np.float64), minlength=months.size)[: months.size]
        .round()
        .astype(np.int64)
    )


def _lag(values: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], values[:-1]])


def _upr(months: np.ndarray, book: PolicyBook, exact_days: list[int]) -> np.ndarray:
    """UPR (fen) at each month end: exact as the warehouse computes it on the quarter ends a close values
    (``Window.valuation_days``), approximated (premium at its booking) elsewhere."""
    issued_day = (book.issued_ts // DAY).astype(np.int32)
    cancel = cancelled_on(book.start_day.size, book.booked_policy, book.booked_type, book.booked_ts)
    last_day = int(book.booked_ts.max()) // DAY  # every premium transaction
    written = written_by(last_day, book.start_day.size, book.booked_policy, book.booked_ts, book.booked_fen)
    path = upr_path(months, issued_day, book.start_day, book.end_day, cancel, written)
    del written
    for day in exact_days:
        micro = upr_exact(
            day, book.booked_policy, book.booked_ts, book.booked_fen, issued_day, book.start_day, book.end_day, cancel
        )
        path[months == day] = (micro + 5_000) // 10_000  # micro-CNY to fen
    return path


def _ocr(months: np.ndarray, claims: ClaimBook) -> np.ndarray:
    """Outstanding claims reserve (fen) at each month end: the valuation on the quarter ends a close values, case
    reserves grossed up by the nearest valuation's IBNR and ULAE loading elsewhere."""
    case = np.cumsum(_monthly(months, claims.reserve_ts, claims.reserve_fen))
    valued = sorted(claims.outstanding.items())
    days = np.array([d for d, _ in valued])
    loading = np.array([ocr / case_ if case_ else 1.0 for _, (ocr, case_) in valued])
    nearest = np.clip(np.searchsorted(days, months, side="left"), 0, days.size - 1)
    path = np.round(case * loading[nearest]).astype(np.int64)
    for day, (ocr, _) in valued:
        path[months == day] = ocr
    return path


def build_ledger(
    scenario: Scenario,
    window: Window,
    rng: np.random.Generator,
    book: PolicyBook,
    claims: ClaimBook,
    ceded: dict,
    invested: dict,
) -> Sources:
    """Chart of accounts (snapshot) and monthly trial balance (event, by month end)."""
    months = invested["months"]
    n = months.size
    in_period = months >= day_number(scenario.period.start)
    premium = _monthly(months, book.booked_ts, book.booked_fen)
    paid = _monthly(months, claims.payment_ts, claims.payment_fen)
    flows = {name: _monthly(months, *ceded[name]) for name in ("ceded", "commission", "recovered")}
    upr = _upr(months, book, window.valuation_days)
    ocr = _ocr(months, claims)

    def post(commission: np.ndarray, admin: np.ndarray) -> Journal:
        journal = Journal(n)
        receivable = np.round(premium * 0.03).astype(np.int64)
        journal.post("1122", "6031", premium)
        journal.post("1002", "1122", premium - receivable + _lag(receivable))
        journal.post("6511", "2251", paid)
        journal.post("2251", "1002", paid)
        journal.post("6531", "2261", flows["ceded"])
        journal.post("2261", "6051", flows["commission"])
        journal.post("2261", "1002", _lag(flows["ceded"] - flows["commission"]))
        journal.post("1131", "6201", flows["recovered"])
        journal.post("1002", "1131", _lag(flows["recovered"]))
        journal.post("6421", "2202", commission)
        journal.post("2202", "1002", _lag(commission))
        journal.post("6602", "2221", taxes)
        journal.post("2221", "1002", _lag(taxes))
        for code, (bought, charge) in amortised.items():
            journal.post(code, "1002", bought)
            journal.post("6602", code, charge)
        journal.post("6501", "2701", upr - _lag(upr))
        journal.post("6541", "2702", ocr - _lag(ocr))
        for kind, (seconds, amounts) in invested["income"].items():
            journal.post(*INCOME_POSTING[kind], _monthly(months, seconds, amounts))
        for code, amounts in invested["positions"].items():
            if code == FINANCING_ACCOUNT:
                journal.post("1002", code, amounts - _lag(amounts))
            else:
                journal.post(code, "1002", amounts - _lag(amounts))
        staff = admin // 3  # general and administrative expenses: staff costs paid the month after, the rest at once
        journal.post("6602", "2211", staff)
        journal.post("2211", "1002", _lag(staff))
        journal.post("6602", "1002", admin - staff)
        return journal

    taxes = np.round(premium * 0.006).astype(np.int64)  # taxes and surcharges, paid the month after
    amortised = {}
    for code, yearly in (("1701", 1_800_000_00), ("1901", 600_000_00)):  # bought quarterly, amortised monthly
        charge = np.round(rng.uniform(0.9, 1.1, n) * yearly / 12).astype(np.int64)
        bought = np.where(np.arange(n) % 3 == 0, np.round(charge * 3 * rng.uniform(0.8, 1.3, n)), 0).astype(np.int64)
        amortised[code] = (bought, charge)
    commission = np.round(premium * 0.5).astype(np.int64)
    admin = np.round(premium * 0.08 + rng.uniform(8e8, 1.2e9, n)).astype(np.int64)
    target = scenario.targets.get("profit_before_tax")
    if target is not None:  # the period's general expenses give the profit; commission gives way if they cannot
        admin[in_period] = 0
        spend = int(_profit(post(commission, admin))[in_period].sum()) - scenario.fen("profit_before_tax", 0)
        floor = round(0.05 * premium[in_period].sum())
        if spend < floor:
            cut = min(floor - spend, int(commission[in_period].sum()))
            commission[in_period] -= allocate(cut, commission[in_period])
            spend += cut
        if spend <= 0:
            raise ValueError("profit target above what the period's flows allow")
        admin[in_period] = allocate(spend, premium[in_period] * 0.08 + 1e9)
    journal = post(commission, admin)
    movement = journal.movement()
    flow = np.cumsum(movement, axis=1)  # closing balances from the flows alone
    start = _opening(scenario, flow[:, -1])
    closing = flow + start[:, None]
    opening = closing - movement
    month = np.repeat(months[None, :], len(CODES), axis=0)
    trial_balance = pa.table(
        {
            "month_end": pa.array(month.ravel().astype(np.int32), pa.date32()),
            "account_code": pa.array(np.repeat(np.array(CODES)[:, None], n, axis=1).ravel()),
            "opening_balance": money(opening.ravel()),
            "debit": money(journal.debit.ravel()),
            "credit": money(journal.credit.ravel()),
            "closing_balance": money(closing.ravel()),
        }
    )
    allocation = _expense_allocation(months, book, journal)
    return Sources(
        events={"ledger/trial_balance": trial_balance, "ledger/expense_allocation": allocation},
        snapshots={"ledger/chart_of_accounts": chart_of_accounts},
    )


def _expense_allocation(months: np.ndarray, book: PolicyBook, journal: Journal) -> pa.Table:
    """The expense sub-ledger: each month's turnover (debit - credit) on the allocated expense accounts split over
    the lines by the month's written premium times the line's weight; the lines sum to the ledger exactly."""
    by_line = [book.booked_line == i for i in range(len(LINES))]
    premium = np.stack([_monthly(months, book.booked_ts[rows], book.booked_fen[rows]) for rows in by_line])
    rows: dict[str, list] = {"month_end": [], "account_code": [], "line_of_business": [], "amount": []}
    for code, weights in ALLOCATED_EXPENSES.items():
        turnover = journal.debit[INDEX[code]] - journal.credit[INDEX[code]]
        share = np.maximum(premium, 0) * np.array(weights)[:, None] + 1  # + 1: a month without premium splits evenly
        for month in range(months.size):
            rows["amount"].extend(allocate(int(turnover[month]), share[:, month]))
            rows["month_end"].extend([months[month]] * len(LINES))
            rows["account_code"].extend([code] * len(LINES))
            rows["line_of_business"].extend(LINES)
    return pa.table(
        {
            "month_end": pa.array(np.array(rows["month_end"], dtype=np.int32), pa.date32()),
            "account_code": pa.array(rows["account_code"]),
            "line_of_business": pa.array(rows["line_of_business"]),
            "amount": money(np.array(rows["amount"], dtype=np.int64)),
        }
    )


def _profit(journal: Journal) -> np.ndarray:
    return (journal.credit - journal.debit)[PROFIT_AND_LOSS].sum(axis=0)


def _opening(scenario: Scenario, end: np.ndarray) -> np.ndarray:
    """Balances before the first landed month such that the period end's totals hit the targets (``end``: the
    period-end balances the flows alone give); see ``balance.py`` for how the totals are chosen."""
    start = np.zeros(len(CODES), dtype=np.int64)
    liability, asset = TYPES == "liability", TYPES == "asset"
    targets = balance_targets(scenario, default_liabilities=int(end[liability].sum() * 1.6))
    total_liabilities, net_assets = targets.total_liabilities, targets.net_assets
    total_assets = total_liabilities + net_assets
    admitted = targets.admitted_assets
    non_admitted = total_assets - admitted if admitted is not None else round(total_assets * 0.003)
    for code, share in NON_ADMITTED.items():
        start[INDEX[code]] = round(non_admitted * share) - end[INDEX[code]]
    start[INDEX["1812"]] += non_admitted - sum(round(non_admitted * s) for s in NON_ADMITTED.values())
    start[INDEX["1811"]] = targets.admitted_deferred_tax_assets - end[INDEX["1811"]]
    start[INDEX["1001"]] = 5_000_000
    start[INDEX["1601"]] = 4_200_000_000
    start[INDEX["1801"]] = 2_000_000_000  # capital deposit: 20 % of the operating fund
    rest = total_liabilities - int(end[liability].sum())
    for code, part in zip(OTHER_LIABILITIES, allocate(rest, np.array(list(OTHER_LIABILITIES.values()))), strict=True):
        start[INDEX[code]] = part
    start[INDEX["4001"]] = 10_000_000_000
    start[INDEX["4101"]] = 1_500_000_000
    cumulative_profit = int(end[TYPES == "income"].sum() - end[TYPES == "expense"].sum())
    start[INDEX["4104"]] = net_assets - cumulative_profit - start[INDEX["4001"]] - start[INDEX["4101"]]
    left = total_assets - int((end + start)[asset].sum())
    cash = round(left * OPERATING_CASH_SHARE)
    start[INDEX["1002"]] += cash
    start[INDEX["1221"]] += left - cash
    return start
