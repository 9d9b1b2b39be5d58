"""Unearned premium reserve as the warehouse computes it (``int_policies__quarter_end_upr``): per policy issued by the
valuation day, not yet expired and not cancelled by it, premium booked by then × unexpired days / days of cover."""

from __future__ import annotations

import numpy as np

from orchestration.generator.timeline import DAY

NEVER = np.iinfo(np.int64).max // 4


def cancelled_on(n: int, txn_policy: np.ndarray, txn_type: np.ndarray, txn_ts: np.ndarray) -> np.ndarray:
    """Day each policy's first cancellation transaction is booked (``NEVER`` when none)."""
    day = np.full(n, NEVER, dtype=np.int64)
    rows = np.flatnonzero(txn_type == 2)
    rows = rows[np.argsort(-txn_ts[rows], kind="stable")]  # the earliest assigned last, so it wins
    day[txn_policy[rows]] = txn_ts[rows] // DAY
    return day


def upr_ratio(day: int, issued_day: np.ndarray, start: np.ndarray, end: np.ndarray, cancel: np.ndarray) -> np.ndarray:
    """Unexpired share of each policy's booked premium at ``day`` (0 when not in the reserve)."""
    cover = (end - start + 1).astype(np.float64)
    alive = (issued_day <= day) & (day < end) & (cancel > day)
    unexpired = np.where(day < start, cover, end - day)
    return np.where(alive, unexpired / cover, 0.0)


def upr_micro(day: int, book_policy, book_ts, book_fen, issued_day, start, end, cancel) -> np.ndarray:
    """UPR of each policy at ``day`` in micro-CNY (1e-6 CNY), rounded as the warehouse rounds it (0 when out)."""
    rows = book_ts // DAY <= day
    written = np.bincount(book_policy[rows], weights=book_fen[rows], minlength=start.size).astype(np.int64)
    alive = (issued_day <= day) & (day < end) & (cancel > day)
    cover = end[alive] - start[alive] + 1
    unexpired = np.where(day < start[alive], cover, end[alive] - day)
    micro = np.zeros(start.size, dtype=np.int64)
    micro[alive] = np.round(written[alive] * 10_000 * unexpired / cover).astype(np.int64)
    return micro


def upr_exact(day: int, book_policy, book_ts, book_fen, issued_day, start, end, cancel) -> int:
    """UPR at ``day`` in micro-CNY (1e-6 CNY), each policy rounded as the warehouse rounds it."""
    return int(upr_micro(day, book_policy, book_ts, book_fen, issued_day, start, end, cancel).sum())


def upr_path(days: np.ndarray, issued_day, start, end, cancel, written_fen) -> np.ndarray:
    """Approximate UPR (fen) at many days with the premium written at issue, by difference arrays over days."""
    lo = int(min(days.min(), issued_day.min())) - 1
    hi = int(days.max()) + 2
    size = hi - lo + 1
    cover = (end - start + 1).astype(np.float64)
    stop = np.clip(np.minimum(end, cancel), lo, hi)  # out of the reserve from this day on
    w = written_fen.astype(np.float64)
    # Before the start (issued <= day < start): the whole premium.
    pre_on, pre_off = np.clip(issued_day, lo, hi), np.clip(np.minimum(start, stop), lo, hi)
    flat = np.bincount(pre_on - lo, w, size) - np.bincount(pre_off - lo, w, size)
    # From the start (start <= day < stop): w (end - day) / cover = a - day b.
    on = np.clip(np.maximum(start, issued_day), lo, hi)
    on = np.minimum(on, stop)
    a = np.bincount(on - lo, w * end / cover, size) - np.bincount(stop - lo, w * end / cover, size)
    b = np.bincount(on - lo, w / cover, size) - np.bincount(stop - lo, w / cover, size)
    flat, a, b = np.cumsum(flat), np.cumsum(a), np.cumsum(b)
    i = days - lo
    return np.round(flat[i] + a[i] - days * b[i]).astype(np.int64)
