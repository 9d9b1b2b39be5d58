"""Claims: claims, lifecycle events, payments (indemnity and medical advances) and case-reserve movements.

Paid claims are built backwards from their final payment, so the quarter each claim is paid in is chosen first and
the period's claim counts, amounts, settlement speed and report channels can be hit exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from orchestration.generator.ids import make_ids
from orchestration.generator.money import allocate, allocate_positive, money, wan_to_fen
from orchestration.generator.outstanding import Incurred, earned_premium
from orchestration.generator.policy import HEALTH, LINES, PolicyBook, policy_ids
from orchestration.generator.scenario import Scenario
from orchestration.generator.timeline import DAY, Window

ONLINE = np.array(["app", "wechat", "web"])
OFFLINE = np.array(["phone", "counter"])
CAUSES = np.array(["illness", "injury", "credit_default", "surety_default"])
ADVANCE_SHARE = 0.006  # share of paid health claims with a medical advance
ADVANCE_CAP = 0.5  # the most of the period's claims paid that advances may take (binds only at large scales)
CLOSE_LAG = 1_800  # the closed event follows the final payment within this many seconds
SLOW_MAX = 6 * DAY  # slowest settlement (documents complete to final payment)
PENDING_SHARE = np.array([0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.13, 0.2])  # still open, per recent quarter
OPEN_SEVERITY = np.array([1.0, 1.5, 6.0, 8.0])  # open-claim reserve relative to a paid claim, per line


@dataclass
class ClaimBook:
    """Claims with what reinsurance recoveries need, and the landed tables."""

    claim_ids: pa.Array
    policy: np.ndarray
    final_paid_ts: np.ndarray  # -1 when unpaid
    paid_fen: np.ndarray
    tables: dict[str, pa.Table]
    payment_ts: np.ndarray  # every payment: time and amount (fen)
    payment_fen: np.ndarray
    reserve_ts: np.ndarray  # every case-reserve movement: time and amount (fen)
    reserve_fen: np.ndarray
    outstanding: dict[int, tuple[int, int]]  # period quarter-end day: (outstanding claims reserve, case reserves), fen


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer counts summing to ``total`` in proportion to ``weights``."""
    return allocate(total, weights) if total > 0 else np.zeros(weights.size, dtype=np.int64)


def _in_force(book: PolicyBook, days: np.ndarray) -> np.ndarray:
    return np.array([np.count_nonzero((book.start_day <= d) & (book.end_day >= d)) for d in days], dtype=np.float64)


def _paid_counts(scenario: Scenario, window: Window, scale: float, book: PolicyBook) -> np.ndarray:
    """Claims with a (final) payment per quarter: the period's targets exactly, history in line with exposure."""
    bounds = window.quarter_bounds_days()
    exposure = _in_force(book, (bounds[:-1] + bounds[1:]) // 2)
    period = window.period_quarter_indices()
    counts = np.zeros(len(window.quarters), dtype=np.int64)
    total = scenario.count("claims_count", scale, 39_000)
    fixed = {}
    for i in period:
        target = scenario.quarter_target(window.quarters[i].label, "claims_count")
        if target is not None:
            fixed[i] = round(float(target.value) * scale)
    free = [i for i in period if i not in fixed]
    for i, count in fixed.items():
        counts[i] = count
    if free:
        counts[free] = _split(total - sum(fixed.values()), exposure[free])
    frequency = counts[period].sum() / exposure[period].sum()
    history = [i for i in range(len(window.quarters)) if i not in period]
    counts[history] = np.round(exposure[history] * frequency).astype(np.int64)
    return counts


def _uniform_in(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return lo + np.floor(rng.random(lo.size) * (hi - lo + 1)).astype(np.int64)


def _settlement(rng: np.random.Generator, window: Window, scenario: Scenario, closed_ts: np.ndarray, lag: np.ndarray):
    """Seconds from documents complete to final payment: the period's one-day rate and fastest settlement exact."""
    rate = float(scenario.value("one_day_settlement_rate", 99)) / 100
    fastest = int(scenario.value("fastest_settlement_seconds", 31))
    n = closed_ts.size
    in_period = np.flatnonzero(closed_ts >= window.period_start_ts)
    slow = rng.random(n) < 1 - rate
    slow[in_period] = False
    n_slow = in_period.size - round(rate * in_period.size)
    slow[rng.choice(in_period, size=n_slow, replace=False)] = True
    fast_cap = DAY - lag
    seconds = np.exp(rng.uniform(np.log(fastest + 1), np.log(fast_cap), n)).astype(np.int64)
    seconds = np.clip(seconds, fastest + 1, fast_cap)
    seconds[slow] = _uniform_in(rng, fast_cap[slow] + 1, np.full(slow.sum(), SLOW_MAX))
    candidates = in_period[~slow[in_period]]
    record = rng.choice(candidates) if candidates.size else None
    if record is not None:
        seconds[record] = fastest
    return seconds, record


def _rate_target(scenario: Scenario, quarter: str | None) -> tuple[float, float] | None:
    """An online-report-rate target as a fraction, and 80 % of its tolerance."""
    target = (
        scenario.targets.get("online_report_rate")
        if quarter is None
        else scenario.quarter_target(quarter, "online_report_rate")
    )
    return None if target is None else (float(target.value) / 100, float(target.tolerance) / 100 * 0.8)


def _online_counts(scenario: Scenario, window: Window, reported: np.ndarray) -> tuple[dict[int, int], dict[int, int]]:
    """Online reports per period quarter, and extra open claims to report per quarter so every rate target holds."""
    period = window.period_quarter_indices()
    rate, tolerance = _rate_target(scenario, None) or (0.95, 0.005)
    targets = {i: _rate_target(scenario, window.quarters[i].label) for i in period}
    free = next((i for i in reversed(period) if targets[i] is None), period[-1])
    n = {i: int(reported[i]) for i in period}
    online: dict[int, int] = {}
    for i in period:
        if i == free:
            continue
        q_rate, q_tol = targets[i] or (rate, 1.0)
        while n[i] and abs(round(q_rate * n[i]) / n[i] - q_rate) > q_tol:
            n[i] += 1
        online[i] = round(q_rate * n[i])
    add = np.arange(0, 4 * sum(n.values()) + 100)
    total = sum(n.values()) + add
    free_n = n[free] + add
    free_online = np.round(rate * total).astype(np.int64) - sum(online.values())
    ok = (
        (free_online >= 0)
        & (free_online <= free_n)
        & (np.abs((free_online + sum(online.values())) / total - rate) <= tolerance)
    )
    if targets[free] is not None:
        ok &= np.abs(free_online / free_n - targets[free][0]) <= targets[free][1]
    realistic = ok & (free_online <= 0.995 * free_n)
    pick = np.flatnonzero(realistic if realistic.any() else ok)
    if pick.size == 0:
        raise ValueError("the online report rate targets cannot be met together")
    n[free] += int(add[pick[0]])
    online[free] = int(free_online[pick[0]])
    return online, {i: n[i] - int(reported[i]) for i in period}


def _pick_policies(
    rng: np.random.Generator, book: PolicyBook, accident: np.ndarray, reported: np.ndarray
) -> np.ndarray:
    """A policy in force (and not cancelled) on each accident day, issued before the report."""
    order = np.argsort(book.start_day, kind="stable")
    starts = book.start_day[order]
    policy = np.full(accident.size, -1, dtype=np.int64)
    todo = np.arange(accident.size)
    for _ in range(500):
        if todo.size == 0:
            return policy
        day = accident[todo]
        lo = np.searchsorted(starts, day - 365, side="left")
        hi = np.searchsorted(starts, day, side="right")
        candidate = order[
            np.minimum(lo + np.floor(rng.random(todo.size) * (hi - lo)).astype(np.int64), starts.size - 1)
        ]
        ok = (hi > lo) & (book.end_day[candidate] >= day) & (book.cancel_day[candidate] > day)
        ok &= book.issued_ts[candidate] <= reported[todo]
        policy[todo[ok]] = candidate[ok]
        todo = todo[~ok]
    raise ValueError(f"{todo.size} claims found no policy in force")


def _report_times(rng: np.random.Generator, window: Window, quarter: np.ndarray) -> np.ndarray:
    """Report times of still-open claims in given quarters, more of them late in the quarter."""
    bounds = window.quarter_bounds_days() * DAY
    lo, hi = bounds[quarter], np.minimum(bounds[quarter + 1] - 1, window.end_ts - 3600)
    return lo + (rng.beta(2.0, 1.0, quarter.size) * (hi - lo)).astype(np.int64)


def _channels(rng: np.random.Generator, window: Window, reported: np.ndarray, online: dict[int, int]) -> pa.Array:
    """Report channels: exactly ``online[q]`` online reports in each period quarter, a rising share before."""
    n = reported.size
    quarter = window.quarter_index(reported)
    share = 0.85 + 0.09 * quarter / max(len(window.quarters) - 1, 1)
    is_online = rng.random(n) < share
    for i, count in online.items():
        rows = np.flatnonzero(quarter == i)
        is_online[rows] = False
        is_online[rng.choice(rows, size=count, replace=False)] = True
    names = np.where(
        is_online, ONLINE[rng.choice(3, size=n, p=[0.5, 0.4, 0.1])], OFFLINE[rng.choice(2, size=n, p=[0.7, 0.3])]
    )
    return pa.array(names)


def build_claims(
    scenario: Scenario, window: Window, scale: float, rng: np.random.Generator, book: PolicyBook
) -> ClaimBook:
    """All claims of the landed quarters; the period's claim metrics hit the scenario's targets."""
    counts = _paid_counts(scenario, window, scale, book)
    bounds = window.quarter_bounds_days() * DAY
    quarter = np.repeat(np.arange(counts.size), counts)
    final = _uniform_in(rng, np.maximum(bounds[quarter], window.start_ts + 7 * DAY), bounds[quarter + 1] - 1)
    closed = np.minimum(final + rng.integers(0, CLOSE_LAG + 1, final.size), window.end_ts)
    settle, record = _settlement(rng, window, scenario, closed, closed - final)
    docs = final - settle
    reported = docs - np.clip(np.exp(rng.normal(np.log(20 * 3600), 1.2, final.size)), 600, 60 * DAY).astype(np.int64)
    early = reported < window.start_ts + DAY
    reported[early] = (
        window.start_ts + DAY + (rng.random(early.sum()) * (docs[early] - window.start_ts - DAY)).astype(np.int64)
    )

    # Claims still open at the period end: some from each recent quarter, plus what the online-rate targets need.
    last = len(window.quarters) - 1
    pending_quarter = np.repeat(
        np.arange(last - PENDING_SHARE.size + 1, last + 1),
        np.round(counts[-PENDING_SHARE.size :] * PENDING_SHARE).astype(np.int64),
    )
    pending = _report_times(rng, window, pending_quarter)
    per_quarter = np.bincount(window.quarter_index(np.concatenate([reported, pending])), minlength=counts.size)
    online, extra = _online_counts(scenario, window, per_quarter)
    extra_quarter = np.repeat(np.array(list(extra), dtype=np.int64), np.array(list(extra.values()), dtype=np.int64))
    pending = np.concatenate([pending, _report_times(rng, window, extra_quarter)])
    pending_docs = pending + np.clip(np.exp(rng.normal(np.log(30 * 3600), 1.2, pending.size)), 600, 60 * DAY).astype(
        np.int64
    )
    pending_docs[(pending_docs > window.end_ts) | (rng.random(pending.size) < 0.6)] = -1

    n_paid, n = final.size, final.size + pending.size
    reported = np.concatenate([reported, pending])
    docs = np.concatenate([docs, pending_docs])
    final = np.concatenate([final, np.full(pending.size, -1)])
    closed = np.concatenate([closed, np.full(pending.size, -1)])
    delay = rng.exponential(4, n).astype(np.int64) + np.where(rng.random(n) < 0.06, rng.integers(20, 150, n), 0)
    accident = np.maximum(reported // DAY - delay, window.start_day + 1)
    policy = _pick_policies(rng, book, accident, reported)
    line = book.line[policy].astype(np.int64)
    cause = np.where(line == HEALTH, np.where(rng.random(n) < 0.85, 0, 1), line)

    payments, paid_fen = _payments(scenario, window, rng, final[:n_paid], docs[:n_paid], line[:n_paid], record)
    paid_fen = np.concatenate([paid_fen, np.zeros(pending.size, dtype=np.int64)])
    order = np.argsort(reported, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    claim_ids = make_ids("C", np.arange(1, n + 1), 10).take(pa.array(rank))
    claims = pa.table(
        {
            "claim_id": claim_ids,
            "policy_id": policy_ids(policy),
            "accident_date": pa.array(accident.astype(np.int32), pa.date32()),
            "reported_at": pa.array(reported, pa.timestamp("s")),
            "report_channel": _channels(rng, window, reported, online),
            "cause": pa.array(CAUSES[cause]),
        }
    ).take(pa.array(order))
    events = _events(rng, window, docs, closed)
    movements = _reserves(rng, reported, docs, payments, paid_fen, n_paid, line)
    incurred = Incurred(
        LINES,
        line[np.concatenate([payments["claim"], movements["claim"]])],
        accident[np.concatenate([payments["claim"], movements["claim"]])],
        np.concatenate([payments["paid_at"], movements["booked_at"]]) // DAY,
        np.concatenate([payments["amount"], movements["amount"]]),
        np.concatenate([np.zeros(payments["claim"].size, bool), np.ones(movements["claim"].size, bool)]),
        earned_premium(book, window.end_day),
    )
    outstanding = _calibrate_reserves(scenario, window, incurred, movements)
    tables = {
        "claims": claims,
        "claim_events": _with_ids(events, claim_ids, "event_id", "E", "event_at"),
        "claim_payments": _with_ids(payments, claim_ids, "payment_id", "CP", "paid_at"),
        "case_reserve_movements": _with_ids(
            {k: v for k, v in movements.items() if k != "open"}, claim_ids, "movement_id", "RM", "booked_at"
        ),
    }
    return ClaimBook(
        claim_ids,
        policy,
        final,
        paid_fen,
        tables,
        payments["paid_at"],
        payments["amount"],
        movements["booked_at"],
        movements["amount"],
        outstanding,
    )


def _calibrate_reserves(scenario: Scenario, window: Window, incurred: Incurred, movements: dict) -> dict:
    """Scale the case reserves of claims still open at the period end so the outstanding claims reserve (case + IBNR
    + ULAE, as the warehouse values it) hits its target; value it at every quarter end a close of the period values."""
    target = scenario.targets.get("outstanding_claims_reserve")
    if target is not None:
        goal = wan_to_fen(target.value)
        open_rows = np.flatnonzero(movements["open"])
        offset = incurred.fen.size - movements["claim"].size
        base = movements["amount"][open_rows].astype(np.float64)

        def scaled(k: float) -> np.ndarray:
            fen = incurred.fen.copy()
            fen[offset + open_rows] = np.round(base * k).astype(np.int64)
            return fen

        points = [(k, incurred.value(window.end_day, scaled(k))[0] - goal) for k in (1.0, 2.0)]
        for _ in range(12):  # secant steps: the reserve is close to linear in the scale
            (k0, g0), (k1, g1) = points[-2], points[-1]
            if abs(g1) <= 500 or g1 == g0:
                break
            k2 = max(k1 - g1 * (k1 - k0) / (g1 - g0), 0.01)
            points.append((k2, incurred.value(window.end_day, scaled(k2))[0] - goal))
        k = min(points, key=lambda p: abs(p[1]))[0]
        incurred.fen = scaled(k)
        movements["amount"][open_rows] = incurred.fen[offset + open_rows]
    return {day: incurred.value(day) for day in window.valuation_days}


def _with_ids(
    columns: dict[str, np.ndarray], claim_ids: pa.Array, id_name: str, prefix: str, time_name: str
) -> pa.Table:
    """A claim sub-table in time order, numbered, with claim numbers and Arrow types."""
    order = np.argsort(columns[time_name], kind="stable")
    data: dict[str, pa.Array] = {id_name: make_ids(prefix, np.arange(1, order.size + 1), 11)}
    data["claim_id"] = claim_ids.take(pa.array(columns["claim"][order]))
    for name, values in columns.items():
        if name == "claim":
            continue
        values = values[order]
        if name == time_name:
            data[name] = pa.array(values, pa.timestamp("s"))
        elif name == "amount":
            data[name] = money(values)
        else:
            data[name] = pa.array(values)
    return pa.table(data)


def _payments(scenario: Scenario, window: Window, rng: np.random.Generator, final, docs, line, record):
    """Indemnities at the final payment and medical advances before it, in the same quarter; the period's total paid
    and average advance exact. Returns the payment columns and each claim's total paid."""
    n = final.size
    in_period = final >= window.period_start_ts
    quarter = window.quarter_index(final)
    advance = (line == HEALTH) & (rng.random(n) < ADVANCE_SHARE) & ~in_period
    eligible = in_period & (line == HEALTH)
    if record is not None:
        eligible[record] = False
    avg_advance = wan_to_fen(scenario.value("medical_advance_avg", 5))
    claims_paid = scenario.fen("claims_paid", 8739.17)
    # Counts grow with the scale and the published total does not: at large scales advances take at most a share of it.
    quarters = window.period_quarter_indices()
    most = max(1, int(ADVANCE_CAP * claims_paid / avg_advance) // len(quarters))
    for i in quarters:
        rows = np.flatnonzero(eligible & (quarter == i))
        take = min(rows.size, max(1, round(ADVANCE_SHARE * np.count_nonzero(quarter == i))), most)
        advance[rng.choice(rows, size=take, replace=False)] = True
    advance_fen = np.zeros(n, dtype=np.int64)
    period_advance = np.flatnonzero(advance & in_period)
    advance_fen[period_advance] = allocate(
        avg_advance * period_advance.size, rng.lognormal(0, 0.35, period_advance.size)
    )
    history_advance = np.flatnonzero(advance & ~in_period)
    advance_fen[history_advance] = np.round(avg_advance * rng.lognormal(0, 0.35, history_advance.size)).astype(np.int64)

    severity = rng.lognormal(0, 1.1, n) * np.array([1.0, 1.5, 3.0, 4.0])[line]
    indemnity_total = claims_paid - int(advance_fen[period_advance].sum())
    indemnity = np.zeros(n, dtype=np.int64)
    period_rows = np.flatnonzero(in_period)
    indemnity[period_rows] = allocate_positive(indemnity_total, severity[period_rows])
    mean = indemnity_total / max(period_rows.size, 1)
    history = np.flatnonzero(~in_period)
    indemnity[history] = np.maximum(np.round(mean * severity[history] / severity.mean()), 100).astype(np.int64)

    starts = window.quarter_bounds_days()[quarter] * DAY
    lo = np.maximum(docs + 1, starts)
    advance_at = lo + (rng.random(n) * np.maximum(final - lo - 1, 0)).astype(np.int64)
    adv = np.flatnonzero(advance)
    columns = {
        "claim": np.concatenate([np.arange(n), adv]),
        "payment_type": np.concatenate([np.full(n, "indemnity"), np.full(adv.size, "medical_advance")]),
        "paid_at": np.concatenate([final, advance_at[adv]]),
        "amount": np.concatenate([indemnity, advance_fen[adv]]),
    }
    return columns, indemnity + advance_fen


def _events(rng: np.random.Generator, window: Window, docs: np.ndarray, closed: np.ndarray) -> dict[str, np.ndarray]:
    """Documents complete, closed, and a few reopenings (re-closed within days) well before the period."""
    has_docs = np.flatnonzero(docs >= 0)
    is_closed = np.flatnonzero(closed >= 0)
    reopen = is_closed[(closed[is_closed] < window.period_start_ts - 45 * DAY) & (rng.random(is_closed.size) < 0.003)]
    reopened_at = closed[reopen] + rng.integers(2 * DAY, 30 * DAY, reopen.size)
    reclosed_at = reopened_at + rng.integers(3600, 5 * DAY, reopen.size)
    return {
        "claim": np.concatenate([has_docs, is_closed, reopen, reopen]),
        "event_type": np.concatenate(
            [
                np.full(has_docs.size, "documents_complete"),
                np.full(is_closed.size, "closed"),
                np.full(reopen.size, "reopened"),
                np.full(reopen.size, "closed"),
            ]
        ),
        "event_at": np.concatenate([docs[has_docs], closed[is_closed], reopened_at, reclosed_at]),
    }


def _reserves(rng: np.random.Generator, reported, docs, payments, paid_fen, n_paid, line) -> dict[str, np.ndarray]:
    """Case reserve set up at report, revised when documents are complete, released by each payment. Claims still
    open carry larger reserves (credit and surety defaults most), scaled later to the reserve target."""
    n = reported.size
    mean_paid = paid_fen[:n_paid].mean() if n_paid else 100_000
    estimate = np.where(
        np.arange(n) < n_paid,
        paid_fen * rng.uniform(0.7, 1.4, n),
        mean_paid * 1.5 * rng.lognormal(0, 0.8, n) * OPEN_SEVERITY[line],
    )
    estimate = np.maximum(np.round(estimate), 100).astype(np.int64)
    revised = np.where(np.arange(n) < n_paid, paid_fen, np.round(estimate * rng.uniform(0.7, 1.5, n)).astype(np.int64))
    revise = np.flatnonzero((docs >= 0) & (revised != estimate))
    claim = np.concatenate([np.arange(n), revise, payments["claim"]])
    return {
        "claim": claim,
        "booked_at": np.concatenate([reported, docs[revise], payments["paid_at"]]),
        "amount": np.concatenate([estimate, revised[revise] - estimate[revise], -payments["amount"]]),
        "open": np.concatenate([np.arange(n) >= n_paid, revise >= n_paid, np.zeros(payments["claim"].size, bool)]),
    }
