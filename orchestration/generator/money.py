"""Fen-exact money helpers: amounts are int64 fen (0.01 CNY) in numpy, never floating point on output."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pyarrow as pa

WAN_FEN = 1_000_000  # 1 wan CNY = 10,000 CNY = 1,000,000 fen


def wan_to_fen(value: float | str | Decimal) -> int:
    """A figure in wan CNY (as published) to an exact number of fen."""
    return int((Decimal(str(value)) * WAN_FEN).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` fen over rows proportionally to ``weights`` (largest remainder): sums exactly to ``total``."""
    weights = np.asarray(weights, dtype=np.float64)
    if weights.size == 0:
        if total:
            raise ValueError("cannot allocate a non-zero total over no rows")
        return np.zeros(0, dtype=np.int64)
    weights = weights / weights.sum()
    raw = weights * float(total)
    floor = np.floor(raw).astype(np.int64)
    residual = int(total - floor.sum())
    if residual:
        order = np.argsort(-(raw - floor), kind="stable")
        floor[order[: residual % weights.size]] += 1
        floor += residual // weights.size
    return floor


def allocate_positive(total: int, weights: np.ndarray) -> np.ndarray:
    """:func:`allocate`, but every row gets at least one fen: when the proportional split leaves a row none (many rows
    for a small total, as at scale 10, where counts grow and the published totals do not), one fen each and the
    rest split proportionally. The same as :func:`allocate` whenever that already gives every row a fen."""
    shares = allocate(total, weights)
    if shares.size and shares.min() < 1:
        if total < shares.size:
            raise ValueError(f"cannot give {shares.size} rows a fen each out of {total} fen")
        shares = 1 + allocate(total - shares.size, weights)
    return shares


def compact_fen(fen: np.ndarray) -> np.ndarray:
    """Amounts in fen as int32 (exact; half the memory of a large book) when every one fits, else unchanged."""
    fits = fen.size == 0 or max(-int(fen.min()), int(fen.max())) < np.iinfo(np.int32).max
    return fen.astype(np.int32) if fits else fen


def adjust_to_total(amounts: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Spread the gap between ``total`` and ``amounts.sum()`` over many rows (±1 fen each when the gap is small)."""
    diff = int(total - amounts.sum())
    if diff == 0:
        return amounts
    return amounts + allocate(diff, rng.uniform(0.5, 1.5, amounts.size))


def fixed_point(units: np.ndarray, scale: int, valid: np.ndarray | None = None) -> pa.Array:
    """int64 units of 10**-scale as an exact ``decimal128(18, scale)`` Arrow array (null where not ``valid``)."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((units.size, 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63
    bitmap = (
        None if valid is None else pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little").tobytes())
    )
    nulls = -1 if valid is None else int(units.size - np.count_nonzero(valid))
    return pa.Array.from_buffers(pa.decimal128(18, scale), units.size, [bitmap, pa.py_buffer(words.tobytes())], nulls)


def money(fen: np.ndarray) -> pa.Array:
    """Fen to ``decimal128(18,2)``."""
    return fixed_point(fen, 2)


def rate(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Floats rounded to 6 decimals as ``decimal128(18,6)`` (null where not ``valid``)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    return fixed_point(np.round(values * 1e6).astype(np.int64), 6, valid)
