"""Unearned premium reserve as the warehouse computes it (``int_policies__quarter_end_upr``): per policy issued by the
valuation day, not yet expired and not cancelled by it, premium booked by then × unexpired days / days of cover,
rounded to 1e-6 CNY per policy (the warehouse rounds once per cohort of policies of equal cover: the totals differ
by less than 0.001 CNY at the seed insurer's size, far inside the ledger's fen).

Per-policy work is done ``CHUNK`` policies (or transactions) at a time, so that its temporaries stay small for a
large book; every sum is of integers (exact), so the results do not depend on the chunking."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from orchestration.generator.timeline import DAY

NEVER = np.iinfo(np.int32).max // 2  # cancellation day of a policy never cancelled
CHUNK = 1_000_000


def cancelled_on(n: int, txn_policy: np.ndarray, txn_type: np.ndarray, txn_ts: np.ndarray) -> np.ndarray:
    """Day each policy's first cancellation transaction is booked (int32; ``NEVER`` when none)."""
    day = np.full(n, NEVER, dtype=np.int32)
    rows = np.flatnonzero(txn_type == 2)
    rows = rows[np.argsort(-txn_ts[rows], kind="stable")]  # the earliest assigned last, so it wins
    day[txn_policy[rows]] = txn_ts[rows] // DAY
    return day


def upr_ratio(day: int, issued_day: np.ndarray, start: np.ndarray, end: np.ndarray, cancel: np.ndarray) -> np.ndarray:
    """Unexpired share of each policy's booked premium at ``day`` (0 when not in the reserve)."""
    ratio = np.empty(start.size, dtype=np.float64)
    for lo in range(0, start.size, CHUNK):
        s = slice(lo, lo + CHUNK)
        cover = (end[s] - start[s] + 1).astype(np.float64)
        alive = (issued_day[s] <= day) & (day < end[s]) & (cancel[s] > day)
        unexpired = np.where(day < start[s], cover, end[s] - day)
        ratio[s] = np.where(alive, unexpired / cover, 0.0)
    return ratio


def written_by(day: int, n: int, book_policy: np.ndarray, book_ts: np.ndarray, book_fen: np.ndarray) -> np.ndarray:
    """Premium booked by the end of ``day`` per policy (int64 fen)."""
    written = np.zeros(n, dtype=np.int64)
    for lo in range(0, book_ts.size, CHUNK):
        s = slice(lo, lo + CHUNK)
        rows = book_ts[s] < (day + 1) * DAY
        np.add.at(written, book_policy[s][rows], book_fen[s][rows])
    return written


def _micro_chunks(day: int, book, issued_day, start, end, cancel) -> Iterator[tuple[slice, np.ndarray]]:
    """Each chunk of policies and its UPR at ``day`` in micro-CNY, rounded per policy (0 when out);
    ``book``: the premium transactions' policy index, booking time and amount (fen)."""
    written = written_by(day, start.size, *book)
    for lo in range(0, start.size, CHUNK):
        s = slice(lo, lo + CHUNK)
        alive = (issued_day[s] <= day) & (day < end[s]) & (cancel[s] > day)
        first, last = start[s][alive], end[s][alive]
        cover = last - first + 1
        unexpired = np.where(day < first, cover, last - day)
        micro = np.zeros(alive.size, dtype=np.int64)
        micro[alive] = np.round(written[s][alive] * 10_000 * unexpired / cover).astype(np.int64)
        yield s, micro


def upr_by(day: int, keys: np.ndarray, size: int, book, issued_day, start, end, cancel) -> np.ndarray:
    """UPR at ``day`` in micro-CNY summed by a per-policy key (``size`` keys; int64)."""
    total = np.zeros(size, dtype=np.int64)
    for s, part in _micro_chunks(day, book, issued_day, start, end, cancel):
        np.add.at(total, keys[s], part)
    return total


def upr_exact(day: int, book_policy, book_ts, book_fen, issued_day, start, end, cancel) -> int:
    """UPR at ``day`` in micro-CNY (1e-6 CNY), each policy rounded."""
    book = (book_policy, book_ts, book_fen)
    return sum(int(part.sum()) for _, part in _micro_chunks(day, book, issued_day, start, end, cancel))


def upr_path(days: np.ndarray, issued_day, start, end, cancel, written_fen) -> np.ndarray:
    """Approximate UPR (fen) at many days with the premium written at issue, by difference arrays over days."""
    lo = int(min(days.min(), issued_day.min())) - 1
    hi = int(days.max()) + 2
    size = hi - lo + 1
    flat, a, b = np.zeros(size), np.zeros(size), np.zeros(size)
    for first in range(0, start.size, CHUNK):
        s = slice(first, first + CHUNK)
        cover = (end[s] - start[s] + 1).astype(np.float64)
        stop = np.clip(np.minimum(end[s], cancel[s]), lo, hi)  # out of the reserve from this day on
        w = written_fen[s].astype(np.float64)
        # Before the start (issued <= day < start): the whole premium.
        pre_on, pre_off = np.clip(issued_day[s], lo, hi), np.clip(np.minimum(start[s], stop), lo, hi)
        flat += np.bincount(pre_on - lo, w, size) - np.bincount(pre_off - lo, w, size)
        # From the start (start <= day < stop): w (end - day) / cover = a - day b.
        on = np.minimum(np.clip(np.maximum(start[s], issued_day[s]), lo, hi), stop)
        a += np.bincount(on - lo, w * end[s] / cover, size) - np.bincount(stop - lo, w * end[s] / cover, size)
        b += np.bincount(on - lo, w / cover, size) - np.bincount(stop - lo, w / cover, size)
    flat, a, b = np.cumsum(flat), np.cumsum(a), np.cumsum(b)
    i = days - lo
    return np.round(flat[i] + a[i] - days * b[i]).astype(np.int64)
