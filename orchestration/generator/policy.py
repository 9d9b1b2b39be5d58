"""Policy administration: products, members, policies and premium transactions, calibrated on premium income
and members in force at the period end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.generator.ids import labels, make_ids
from orchestration.generator.money import adjust_to_total, allocate, compact_fen, money, wan_to_fen
from orchestration.generator.personal import PROVINCES, bank_accounts, id_cards, mobiles, names, provinces
from orchestration.generator.scenario import Scenario
from orchestration.generator.timeline import DAY, Window, compact_seconds, parse_day
from orchestration.generator.upr import CHUNK, cancelled_on, upr_exact, upr_ratio

LINES = ("health", "accident", "credit", "surety")
HEALTH = 0
ACCIDENT = 1
PRIMARY_LINE_WEIGHTS = np.array([0.86, 0.08, 0.03, 0.03])
CHANNELS = ("online_direct", "platform", "broker", "agency")
CHANNEL_WEIGHTS = np.array([0.25, 0.55, 0.12, 0.08])
RENEWAL_RATE = 0.87  # share of members renewing at each anniversary
MIGRATED_SHARE = 0.3  # members migrated from the previous system, joined during the first year of history
SHORT_TERM_SHARE = 0.03  # members also buying 30-day accident cover
TRANSACTION_TYPES = ("written", "endorsement", "cancellation", "refund")


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    line: int
    term_days: int
    launched_on: str
    weight: float  # share of its line's annual sales (0 for the short-term product)
    premium: float  # typical annual premium, CNY
    sum_insured: tuple[int, ...]  # CNY options


PRODUCTS = (
    Product("ZHH001", "众惠相互百万医疗保险", 0, 365, "2019-03-01", 0.45, 600, (2_000_000, 3_000_000, 6_000_000)),
    Product("ZHH002", "众惠相互中高端医疗保险", 0, 365, "2020-06-18", 0.15, 2_500, (4_000_000, 8_000_000)),
    Product("ZHH003", "众惠相互重大疾病保险", 0, 365, "2021-05-20", 0.2, 430, (100_000, 300_000, 500_000)),
    Product("ZHH004", "众惠相互门急诊医疗保险", 0, 365, "2022-09-01", 0.1, 370, (5_000, 10_000, 20_000)),
    Product("ZHH005", "众惠相互惠民健康保", 0, 365, "2024-03-15", 0.1, 140, (2_000_000,)),
    Product("ZHH006", "众惠相互高端医疗保险（月缴）", 0, 30, "2020-01-01", 0.05, 1_500, (5_000_000, 10_000_000)),
    Product("ZHA001", "众惠相互综合意外伤害保险", 1, 365, "2018-11-01", 1.0, 150, (100_000, 300_000, 500_000)),
    Product("ZHA002", "众惠相互出行意外伤害保险", 1, 30, "2020-01-10", 0.0, 15, (200_000, 500_000)),
    Product("ZHC001", "众惠相互个人消费贷款信用保险", 2, 365, "2019-08-01", 1.0, 180, (20_000, 50_000, 100_000)),
    Product("ZHS001", "众惠相互个人借款保证保险", 3, 365, "2020-04-01", 0.7, 360, (30_000, 80_000, 150_000)),
    Product("ZHS002", "众惠相互工程履约保证保险", 3, 365, "2023-07-01", 0.3, 2_500, (500_000, 1_000_000)),
)
SHORT_TERM_PRODUCT = 7
BATCH = 1_000_000  # rows of a landed table built at a time
MONTH = 30  # days of cover of a monthly-term policy


NEVER_DAY = np.iinfo(np.int32).max // 2  # cancellation day of a policy never cancelled


def policy_ids(index: np.ndarray) -> pa.Array:
    """Policy numbers of policy indexes (0-based, in issue order)."""
    return make_ids("P", np.asarray(index, dtype=np.int64) + 1, 10)


@dataclass
class PolicyBook:
    """Policies in issue order, with what claims and reinsurance need, and the landed tables. Compact dtypes (int32
    indexes, days and seconds, int8 codes, money in int32 or int64 fen) bound the memory of a large book;
    policy numbers are made from the index when needed (``policy_ids``)."""

    member: np.ndarray  # int32
    product: np.ndarray  # int8
    line: np.ndarray  # int8
    issued_ts: np.ndarray  # int32 until 2038 (``compact_seconds``)
    start_day: np.ndarray  # int32
    end_day: np.ndarray  # int32
    cancel_day: np.ndarray  # int32: day the cancellation was booked, or ``NEVER_DAY``
    premium_fen: np.ndarray  # int32 when every premium fits (``compact_fen``)
    booked_ts: np.ndarray  # premium transactions in booking order: time (as ``issued_ts``) and amount (int64 fen)
    booked_fen: np.ndarray
    booked_policy: np.ndarray  # int32
    booked_type: np.ndarray  # int8
    tables: dict[str, Callable[[], Iterator[pa.Table]]]  # built in batches as they are written, to bound memory

    @property
    def booked_line(self) -> np.ndarray:
        """Line of each premium transaction (int8)."""
        return self.line[self.booked_policy]


def daytime(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds into the day, busiest in the evening."""
    return (7 * 3600 + rng.beta(2.2, 1.6, n) * 17 * 3600 - 1).astype(np.int64)


def products_table(as_of_day: int) -> pa.Table:
    """The catalogue as of a day (products launched by then)."""
    launched = [p for p in PRODUCTS if parse_day(p.launched_on) <= as_of_day]
    return pa.table(
        {
            "product_code": [p.code for p in launched],
            "product_name": [p.name for p in launched],
            "line_of_business": [LINES[p.line] for p in launched],
            "term_days": pa.array([p.term_days for p in launched], pa.int64()),
            "launched_on": pa.array(
                np.array([parse_day(p.launched_on) for p in launched], dtype=np.int32), pa.date32()
            ),
        }
    )


def _join_times(rng: np.random.Generator, window: Window, n: int) -> np.ndarray:
    """Join timestamps: a cohort migrated over the first year, then joins growing ~26 % a year."""
    first_year_days = window.quarter_bounds_days()[4] - window.start_day
    last_day = window.end_day - 1  # first cover starts the day after joining, by the period end at the latest
    migrated = rng.random(n) < MIGRATED_SHARE
    growth = np.log(2) / (3 * 365)
    span = last_day - window.start_day + 1
    u = rng.random(n)
    growing = np.log1p(u * np.expm1(growth * span)) / growth
    days = window.start_day + np.where(migrated, u * first_year_days, growing).astype(np.int64)
    return np.sort(np.minimum(days, last_day) * DAY + daytime(rng, n))


def _members(rng: np.random.Generator, window: Window, members_end: int):
    """Join times, chain lengths and lapse flags with exactly ``members_end`` members covered at the period end."""
    probe = _join_times(rng, window, 20_000) // DAY + 1
    expected = float(np.mean(RENEWAL_RATE ** ((window.end_day - probe) // 365)))
    n = max(int(members_end / expected), members_end + 1)
    joined = _join_times(rng, window, n)
    first_start = joined // DAY + 1
    renewals = (window.end_day - first_start) // 365  # index of the policy covering the period end
    active = rng.random(n) < RENEWAL_RATE**renewals
    gap = int(active.sum()) - members_end
    pool = np.flatnonzero(active if gap > 0 else ~active)
    active[rng.choice(pool, size=abs(gap), replace=False)] = gap < 0
    # Lapsed members stop renewing after a truncated-geometric number of policies, some cancel the last one.
    q = RENEWAL_RATE ** np.maximum(renewals, 1)
    lapse_len = 1 + np.floor(np.log1p(-rng.random(n) * (1 - q)) / np.log(RENEWAL_RATE)).astype(np.int64)
    cancels = ~active & ((renewals == 0) | (rng.random(n) < 0.12))
    chain = np.where(
        active,
        renewals + 1,
        np.where(cancels, np.minimum(lapse_len, renewals + 1), np.minimum(lapse_len, np.maximum(renewals, 1))),
    )
    return joined, first_start, chain, active, cancels


def _member_batches(rng: np.random.Generator, joined: np.ndarray, chunk: int = 500_000) -> Iterator[pa.Table]:
    """Members with synthetic personal data, in batches (in join order) to bound memory."""
    for first in range(0, joined.size, chunk):  # a handful of chunks, vectorised within
        when = joined[first : first + chunk]
        n = when.size
        male = rng.random(n) < 0.49
        province, county = provinces(rng, n)
        age_days = (rng.triangular(18, 31, 68, n) * 365.25).astype(np.int64) + rng.integers(0, 365, n)
        yield pa.table(
            {
                "member_id": make_ids("M", np.arange(first + 1, first + n + 1), 9),
                "name": names(rng, n),
                "id_card_no": id_cards(rng, county, when // DAY - age_days, male),
                "phone": mobiles(rng, n),
                "bank_account": bank_accounts(rng, n),
                "gender": labels(("F", "M"), male),
                "province": labels([p[0] for p in PROVINCES], province),
                "joined_at": pa.array(when, pa.timestamp("s")),
            }
        )


def _pick_products(rng: np.random.Generator, line: np.ndarray, day: np.ndarray) -> np.ndarray:
    """An annual product of the member's line, launched by ``day`` (the first issue day; else the line's oldest)."""
    product = np.empty(line.size, dtype=np.int64)
    u = rng.random(line.size)
    for index in range(len(LINES)):  # four lines, vectorised within each
        rows = line == index
        choices = [i for i, p in enumerate(PRODUCTS) if p.line == index and p.weight > 0]
        weights = np.array([PRODUCTS[i].weight for i in choices])
        pick = np.array(choices)[
            np.searchsorted(np.cumsum(weights / weights.sum()), u[rows], side="right").clip(0, len(choices) - 1)
        ]
        launched = np.array([parse_day(p.launched_on) for p in PRODUCTS])
        product[rows] = np.where(launched[pick] <= day[rows], pick, choices[0])
    return product


def _short_term(rng: np.random.Generator, window: Window, first_start, span_end, lapsed):
    """30-day accident policies within each buyer's membership: (member, start day)."""
    n = first_start.size
    buyers = np.flatnonzero(rng.random(n) < SHORT_TERM_SHARE)
    member = np.repeat(buyers, 1 + rng.poisson(0.8, buyers.size))
    latest = np.where(lapsed[member], span_end[member] - 29, window.end_day)
    keep = latest >= first_start[member]
    member, latest = member[keep], latest[keep]
    start = first_start[member] + np.floor(rng.random(member.size) * (latest - first_start[member] + 1)).astype(
        np.int64
    )
    return member, start


def _book_in(rng, lo_day: np.ndarray, hi_day: np.ndarray, not_before: np.ndarray, end_ts: int) -> np.ndarray:
    """A booking time on a day between ``lo_day`` and ``hi_day``, not before ``not_before``, not after ``end_ts``."""
    day = lo_day + np.floor(rng.random(lo_day.size) * (hi_day - lo_day + 1)).astype(np.int64)
    return np.minimum(np.maximum(day * DAY + daytime(rng, day.size), not_before + 60), end_ts)


def _issue(rng: np.random.Generator, window: Window, joined, first_start, chain, active, cancels, product_of_member):
    """Every member's policies in issue order: annual chains, monthly-term chains and short-term accident cover.

    Returns member index (int32), issue time, start day (int32), product index (int8) and cancellation day (int32)
    per policy; the intermediate arrays are freed as soon as they are used."""
    n_members = joined.size
    # Annual chains: policy k of a member covers [first start + 365 k, + 364].
    member = np.repeat(np.arange(n_members, dtype=np.int32), chain)
    k = (np.arange(member.size) - np.repeat(np.cumsum(chain) - chain, chain)).astype(np.int32)
    start = (first_start[member] + 365 * k).astype(np.int32)
    issued = (start - rng.integers(1, 21, member.size)) * DAY + daytime(rng, member.size)  # renewals
    first = np.flatnonzero(k == 0)
    issued[first] = (joined[member] + rng.integers(60, 1800, member.size))[first]
    last = k == chain[member] - 1
    del k, first
    end = start + 364
    cancel_day = np.full(member.size, NEVER_DAY, dtype=np.int32)
    cut = last & cancels[member]
    hi = np.minimum(end[cut], window.end_day)
    cancel_day[cut] = start[cut] + np.floor(rng.random(cut.sum()) * (hi - start[cut] + 1)).astype(np.int64)

    span_end = np.full(n_members, window.end_day)
    span_end[member[last]] = np.where(cut[last], cancel_day[last] - 1, end[last])
    del last, cut, end

    # Monthly-term members (high-end medical paid month by month): 30-day policies over the same span of cover,
    # the one covering the period end included for members still covered then.
    t = window.end_day
    is_monthly = np.array([p.term_days == MONTH and p.weight > 0 for p in PRODUCTS])[product_of_member]
    months_covered = np.where(
        active,
        (t - first_start) // MONTH + 1,
        np.minimum((span_end - first_start + 1) // MONTH, (t - first_start) // MONTH),
    )
    is_monthly &= months_covered >= 1
    keep = ~is_monthly[member]
    member, start, cancel_day, issued = member[keep], start[keep], cancel_day[keep], issued[keep]
    del keep
    m_member = np.repeat(np.flatnonzero(is_monthly).astype(np.int32), months_covered[is_monthly])
    m_k = np.arange(m_member.size) - np.repeat(
        np.cumsum(months_covered[is_monthly]) - months_covered[is_monthly], months_covered[is_monthly]
    )
    m_start = (first_start[m_member] + MONTH * m_k).astype(np.int32)
    m_issued = np.where(
        m_k == 0,
        joined[m_member] + rng.integers(60, 1800, m_member.size),
        np.maximum(
            (m_start - rng.integers(0, 3, m_member.size)) * DAY + daytime(rng, m_member.size), joined[m_member] + 60
        ),
    )
    del m_k
    extra_member, extra_start = _short_term(rng, window, first_start, span_end, ~active)
    extra_issued = np.maximum(
        (extra_start - rng.integers(0, 3, extra_start.size)) * DAY + daytime(rng, extra_start.size),
        joined[extra_member] + 60,
    )
    extra_cancel = np.full(extra_start.size, NEVER_DAY, dtype=np.int32)
    cooled = rng.random(extra_start.size) < 0.02
    extra_cancel[cooled] = np.minimum(extra_start[cooled] + rng.integers(0, 5, cooled.sum()), window.end_day)

    issued = np.concatenate([issued, m_issued, extra_issued])
    del m_issued, extra_issued
    order = np.argsort(issued, kind="stable")
    issued = issued[order]
    product = product_of_member[np.concatenate([member, m_member])].astype(np.int8)
    product = np.concatenate([product, np.full(extra_start.size, SHORT_TERM_PRODUCT, dtype=np.int8)])[order]
    member = np.concatenate([member, m_member, extra_member.astype(np.int32)])[order]
    start = np.concatenate([start, m_start, extra_start.astype(np.int32)])[order]
    cancel_day = np.concatenate([cancel_day, np.full(m_member.size, NEVER_DAY, dtype=np.int32), extra_cancel])[order]
    return member, issued, start, product, cancel_day


def build_policies(scenario: Scenario, window: Window, scale: float, rng: np.random.Generator) -> PolicyBook:
    """Members, policies and premium transactions; premium income and members in force hit the targets."""
    members_end = scenario.count("members_end", scale, 4_500_000)
    joined, first_start, chain, active, cancels = _members(rng, window, members_end)
    n_members = joined.size
    line_of_member = rng.choice(len(LINES), size=n_members, p=PRIMARY_LINE_WEIGHTS)
    product_of_member = _pick_products(rng, line_of_member, np.minimum(first_start, joined // DAY))
    channel_of_member = rng.choice(len(CHANNELS), size=n_members, p=CHANNEL_WEIGHTS)
    member, issued, start, product, cancel_day = _issue(
        rng, window, joined, first_start, chain, active, cancels, product_of_member
    )
    del first_start, chain, active, cancels, product_of_member, line_of_member
    issued = compact_seconds(issued, window.end_ts)
    channel_of_member = channel_of_member.astype(np.int8)
    term = np.array([p.term_days for p in PRODUCTS], dtype=np.int32)[product]
    end = start + term - 1
    line = np.array([p.line for p in PRODUCTS], dtype=np.int8)[product]
    n = member.size
    base = np.array([p.premium for p in PRODUCTS])[product] * rng.lognormal(0, 0.35, n)

    txn_policy, txn_type, txn_ts, txn_mult = _transactions(rng, window, issued, start, end, cancel_day, term)
    txn_ts = compact_seconds(txn_ts, window.end_ts)
    del term
    cover = ((issued // DAY).astype(np.int32), start, end)
    premium_fen, amounts = _calibrate(scenario, window, rng, base, line, txn_policy, txn_type, txn_ts, txn_mult, cover)
    del base, txn_mult, cover
    order = np.argsort(txn_ts, kind="stable")  # premium transactions in booking order from here on
    txn_ts, amounts, txn_policy, txn_type = txn_ts[order], amounts[order], txn_policy[order], txn_type[order]
    del order
    premium_fen = compact_fen(premium_fen)

    si_options = [np.array(p.sum_insured, dtype=np.int64) * 100 for p in PRODUCTS]
    si_option = np.zeros(n, dtype=np.int8)  # index into the product's sums insured
    u = rng.random(n)
    for i, options in enumerate(si_options):  # one pass per product
        rows = product == i
        si_option[rows] = (u[rows] * options.size).astype(np.int8)
    del u
    si_table = np.zeros((len(PRODUCTS), max(o.size for o in si_options)), dtype=np.int64)
    for i, options in enumerate(si_options):
        si_table[i, : options.size] = options

    def policies() -> Iterator[pa.Table]:
        for lo in range(0, n, BATCH):  # in issue order
            rows = slice(lo, lo + BATCH)
            who = member[rows]
            yield pa.table(
                {
                    "policy_id": policy_ids(np.arange(lo, min(lo + BATCH, n))),
                    "member_id": make_ids("M", who.astype(np.int64) + 1, 9),
                    "product_code": labels([p.code for p in PRODUCTS], product[rows]),
                    "channel": labels(CHANNELS, channel_of_member[who]),
                    "issued_at": pa.array(issued[rows].astype(np.int64), pa.timestamp("s")),
                    "start_date": pa.array(start[rows], pa.date32()),
                    "end_date": pa.array(end[rows], pa.date32()),
                    "sum_insured": money(si_table[product[rows], si_option[rows]]),
                }
            )

    def premium_transactions() -> Iterator[pa.Table]:
        for lo in range(0, txn_ts.size, BATCH):  # in booking order
            rows = slice(lo, lo + BATCH)
            count = txn_policy[rows].size
            yield pa.table(
                {
                    "transaction_id": make_ids("T", np.arange(lo + 1, lo + count + 1), 11),
                    "policy_id": policy_ids(txn_policy[rows]),
                    "transaction_type": labels(TRANSACTION_TYPES, txn_type[rows]),
                    "booked_at": pa.array(txn_ts[rows].astype(np.int64), pa.timestamp("s")),
                    "amount": money(amounts[rows]),
                }
            )

    tables = {
        "members": lambda: _member_batches(rng, joined),
        "policies": policies,
        "premium_transactions": premium_transactions,
    }
    return PolicyBook(
        member,
        product,
        line,
        issued,
        start,
        end,
        cancel_day,
        premium_fen,
        txn_ts,
        amounts,
        txn_policy,
        txn_type,
        tables,
    )


def _transactions(rng, window: Window, issued, start, end, cancel_day, term):
    """Written premium for every policy, endorsements, partial refunds and pro-rata cancellations.

    Returns policy index (int32), type index (int8), booking time and the amount as a multiple of the policy's
    premium."""
    n = issued.size
    cancelled = np.flatnonzero(cancel_day <= window.end_day)
    annual = term > 31
    hi = np.minimum(np.minimum(end, window.end_day), cancel_day - 1)
    parts = [(np.arange(n, dtype=np.int32), np.zeros(n, np.int8), issued, np.ones(n))]
    for kind, share, low, high in ((1, 0.03, 0.03, 0.25), (3, 0.015, -0.3, -0.05)):
        rows = np.flatnonzero(annual & (rng.random(n) < share) & (hi >= start))
        ts = _book_in(rng, start[rows], hi[rows], issued[rows], window.end_ts)
        parts.append((rows.astype(np.int32), np.full(rows.size, kind, np.int8), ts, rng.uniform(low, high, rows.size)))
    ts = _book_in(rng, cancel_day[cancelled], cancel_day[cancelled], issued[cancelled], window.end_ts)
    unearned = (end[cancelled] - cancel_day[cancelled] + 1) / term[cancelled]
    parts.append((cancelled.astype(np.int32), np.full(cancelled.size, 2, np.int8), ts, -np.clip(unearned, 0.01, 1.0)))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(4))


def _calibrate(scenario: Scenario, window: Window, rng, base, line, txn_policy, txn_type, txn_ts, txn_mult, cover):
    """Scale premiums per group (health, other) so period premium income hits its targets to the fen; within health,
    monthly-term and annual policies are scaled apart so the unearned premium reserve at the period end hits its
    target too (then to the fen, by moving premium from a policy already expired to one not yet started)."""
    issued_day, start, end = cover
    t = window.end_day
    total = scenario.fen("premium_income_original", 210183.79)
    health = scenario.health_premium_fen(total)
    in_period = txn_ts >= window.period_start_ts
    is_health = line[txn_policy] == HEALTH
    cancel = cancelled_on(base.size, txn_policy, txn_type, txn_ts)
    ratio = upr_ratio(t, issued_day, start, end, cancel)
    monthly = (end - start + 1) <= 31
    premium_fen = np.zeros(base.size, dtype=np.int64)
    amounts = np.zeros(txn_ts.size, dtype=np.int64)
    upr_other = 0.0
    upr_target = scenario.targets.get("unearned_premium_reserve")
    for group_rows, group_policies, target in (
        (~is_health, line != HEALTH, total - health),
        (is_health, line == HEALTH, health),
    ):
        rows = in_period & group_rows
        raw = float(np.sum(_gathered(rows, lambda g: base[txn_policy[g]] * txn_mult[g])))
        if raw <= 0:
            raise ValueError("scenario period has no premium to calibrate")
        factor = np.where(group_policies, target / raw, 0.0)
        if group_rows is is_health and upr_target is not None:
            upr_left = wan_to_fen(upr_target.value) - upr_other
            factor = _upr_factors(
                base, txn_policy, txn_mult, (rows, group_rows), ratio, monthly, target, upr_left, factor
            )
        for lo in range(0, base.size, CHUNK):
            part, own = slice(lo, lo + CHUNK), group_policies[lo : lo + CHUNK]
            premium_fen[part][own] = np.maximum(np.round(base[part] * factor[part])[own], 100).astype(np.int64)
        del factor
        for lo in range(0, txn_ts.size, CHUNK):
            group = lo + np.flatnonzero(group_rows[lo : lo + CHUNK])
            derived = np.round(premium_fen[txn_policy[group]] * txn_mult[group]).astype(np.int64)
            amounts[group] = np.where(derived == 0, np.sign(txn_mult[group]).astype(np.int64), derived)
        written = np.flatnonzero(rows & (txn_type == 0))
        amounts[written] = adjust_to_total(
            amounts[written], target - int(amounts[rows].sum()) + int(amounts[written].sum()), rng
        )
        del rows, written
        upr_other += float(np.sum(_gathered(group_rows, lambda g: amounts[g] * ratio[txn_policy[g]])))
    if upr_target is not None:
        micro = upr_exact(t, txn_policy, txn_ts, amounts, issued_day, start, end, cancel)
        gap = round((wan_to_fen(upr_target.value) * 10_000 - micro) / 10_000)
        written = in_period & is_health & (txn_type == 0)
        full = np.flatnonzero(written & (ratio[txn_policy] == 1.0))  # not started yet: the whole premium unearned
        none = np.flatnonzero(written & (ratio[txn_policy] == 0.0))  # expired (or cancelled) by the period end
        if gap and full.size and none.size:
            give, take = (full, none) if gap > 0 else (none, full)
            take = take[amounts[take] > 2 * abs(gap) // 50 + 200]
            k = min(50, give.size, take.size)
            give, take = rng.choice(give, k, replace=False), rng.choice(take, k, replace=False)
            moved = allocate(abs(gap), rng.uniform(0.5, 1.5, k))
            amounts[give] += moved
            amounts[take] -= moved
    return premium_fen, amounts


def _gathered(rows: np.ndarray, values: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``values(np.flatnonzero(rows))``, computed ``CHUNK`` rows at a time into one array (to bound temporaries;
    the same array, so a sum of it is the same to the last bit)."""
    out = np.empty(int(np.count_nonzero(rows)), dtype=np.float64)
    filled = 0
    for lo in range(0, rows.size, CHUNK):
        part = values(lo + np.flatnonzero(rows[lo : lo + CHUNK]))
        out[filled : filled + part.size] = part
        filled += part.size
    return out


def _upr_factors(base, txn_policy, txn_mult, selection, ratio, monthly, premium, upr, factor):
    """Premium factors for monthly-term and other policies of a group: period premium and its share of the UPR."""
    rows, group_rows = selection
    group_policies = factor > 0
    m = monthly[txn_policy]
    value = np.empty(txn_mult.size)
    for lo in range(0, value.size, CHUNK):
        part = slice(lo, lo + CHUNK)
        value[part] = base[txn_policy[part]] * txn_mult[part]
    r_m, r_a = float(value[rows & m].sum()), float(value[rows & ~m].sum())
    for lo in range(0, value.size, CHUNK):  # the premium's unearned share
        part = slice(lo, lo + CHUNK)
        value[part] *= ratio[txn_policy[part]]
    u_m = float(value[group_rows & m].sum())
    u_a = float(value[group_rows & ~m].sum())
    del value, m
    det = r_m * u_a - r_a * u_m
    if det == 0:
        return factor
    k_m = (premium * u_a - upr * r_a) / det
    k_a = (upr * r_m - premium * u_m) / det
    if k_m <= 0 or k_a <= 0:
        return factor
    for lo in range(0, factor.size, CHUNK):
        part = slice(lo, lo + CHUNK)
        factor[part] = np.where(group_policies[part], np.where(monthly[part], k_m, k_a), 0.0)
    return factor
