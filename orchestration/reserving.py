"""Claims reserving with the ``chainladder`` package: triangles, development factors and IBNR.

Basis: **incurred** (payments + case-reserve movements) by accident period and development period, per
line of business. Chain-ladder with volume-weighted development factors where a line has enough history;
Bornhuetter-Ferguson on earned premium with an a-priori loss ratio where it is too young (fewer accident
periods of its own history than ``min_origin_periods``). No tail factor: the oldest development seen is taken
as ultimate.
Outstanding claims reserve = case reserves + IBNR + claim-handling expense reserve (ULAE ratio × (case + IBNR)).
Assumptions per line live in the dbt seed ``reserving_assumptions``; docs/reserving.md explains the choices.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import date

import chainladder as cl
import numpy as np
import pandas as pd

GRAINS = {"Q": "quarter", "Y": "year"}


@dataclass(frozen=True)
class LineAssumptions:
    """Reserving choices for one line of business."""

    line: str
    min_origin_periods: int
    apriori_loss_ratio: float
    ulae_ratio: float


def build_triangle(movements: pd.DataFrame, valuation: date, grain: str = "Q") -> cl.Triangle:
    """Cumulative triangle per line from incremental movements.

    ``movements`` columns: ``line``, ``origin_date`` (accident date), ``development_date`` (booking date),
    ``amount`` (incremental incurred: a payment or a case-reserve movement).
    """
    frame = movements.loc[pd.to_datetime(movements["development_date"]) <= pd.Timestamp(valuation)].copy()
    # Align to period boundaries so chainladder's periods are calendar quarters (or years).
    frame["origin_date"] = pd.to_datetime(frame["origin_date"]).dt.to_period(grain).dt.start_time
    frame["development_date"] = pd.to_datetime(frame["development_date"]).dt.to_period(grain).dt.end_time.dt.normalize()
    frame["amount"] = frame["amount"].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        triangle = cl.Triangle(
            frame,
            origin="origin_date",
            development="development_date",
            columns=["amount"],
            index=["line"],
            cumulative=False,
            origin_grain=grain,
            development_grain=grain,
        )
    return triangle.incr_to_cum()


def triangle_frame(triangle: cl.Triangle) -> pd.DataFrame:
    """Long frame (line, origin, development_lag, cumulative) of a triangle, for storage and display."""
    rows = []
    for line in triangle.index["line"]:
        cells = triangle.loc[line].to_frame(keepdims=True).reset_index(drop=True)
        for record in cells.itertuples(index=False):
            rows.append((line, pd.Timestamp(record.origin).date(), int(record.development), float(record.amount)))
    return pd.DataFrame(rows, columns=["line", "origin", "development_lag", "cumulative"])


def development_factors(triangle: cl.Triangle) -> pd.DataFrame:
    """Selected (volume-weighted) age-to-age factors per line: (line, from_lag, to_lag, factor)."""
    rows = []
    for line in triangle.index["line"]:
        ldf = cl.Development(average="volume").fit(triangle.loc[line]).ldf_.to_frame()
        for label, factor in ldf.iloc[0].items():
            start, end = (int(part) for part in str(label).split("-"))
            rows.append((line, start, end, float(factor)))
    return pd.DataFrame(rows, columns=["line", "from_lag", "to_lag", "factor"])


def accident_periods(triangle: cl.Triangle) -> int:
    """Accident periods of a one-line triangle's own history: from its first with incurred to date to the last.

    The triangles of all lines share one origin axis, so a line that started later has empty origins first.
    """
    latest = np.nan_to_num(triangle.latest_diagonal.values[0, 0, :, 0])
    moved = np.flatnonzero(latest)
    return int(latest.size - moved[0]) if moved.size else 0


def _line_estimate(triangle: cl.Triangle, assumptions: LineAssumptions, exposure: pd.Series | None) -> pd.DataFrame:
    young = accident_periods(triangle) < assumptions.min_origin_periods
    if young and exposure is not None:
        weights = triangle.latest_diagonal * 0
        premium = exposure.reindex(pd.to_datetime(triangle.origin.to_timestamp()).date).fillna(0.0).to_numpy()
        weights.values[0, 0, :, 0] = premium
        model = cl.BornhuetterFerguson(apriori=assumptions.apriori_loss_ratio).fit(triangle, sample_weight=weights)
        method = "bornhuetter_ferguson"
    else:
        model = cl.Chainladder().fit(triangle)
        method = "chain_ladder"
    # chainladder leaves out the origins without a value, which need not be the same in both frames (a sparse
    # line: no incurred to date yet, but a Bornhuetter-Ferguson ultimate): joined on the origin.
    ultimate = model.ultimate_.to_frame(keepdims=True)[["origin", "amount"]].rename(columns={"amount": "ultimate"})
    latest = triangle.latest_diagonal.to_frame(keepdims=True)[["origin", "amount"]].rename(columns={"amount": "latest"})
    frame = latest.merge(ultimate, on="origin", how="outer").sort_values("origin", ignore_index=True)
    frame["latest"] = frame["latest"].astype(float).fillna(0.0)
    frame["ultimate"] = frame["ultimate"].astype(float).fillna(frame["latest"])
    frame["origin"] = [pd.Timestamp(o).date() for o in frame["origin"]]
    frame = frame[["origin", "latest", "ultimate"]]
    frame["ibnr"] = frame["ultimate"] - frame["latest"]
    frame["method"] = method
    return frame


def estimate_ibnr(
    triangle: cl.Triangle,
    assumptions: dict[str, LineAssumptions],
    earned_premium: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """IBNR per line and accident period: (line, origin, latest, ultimate, ibnr, method).

    ``earned_premium`` (line, origin = first day of the accident period, amount) is the exposure for
    Bornhuetter-Ferguson.
    """
    frames = []
    for line in triangle.index["line"]:
        exposure = None
        if earned_premium is not None:
            rows = earned_premium[earned_premium["line"] == line]
            exposure = pd.Series(rows["amount"].astype(float).to_numpy(), index=pd.to_datetime(rows["origin"]).dt.date)
        estimate = _line_estimate(triangle.loc[line], assumptions[line], exposure)
        estimate.insert(0, "line", line)
        frames.append(estimate)
    return pd.concat(frames, ignore_index=True)
