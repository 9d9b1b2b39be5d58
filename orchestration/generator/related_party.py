"""Related-party register: parties, transactions and unified agreements; the period's count, amount and
agreements signed hit the scenario's targets (register counts do not scale)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from orchestration.generator.ids import make_ids
from orchestration.generator.money import allocate, money
from orchestration.generator.scenario import Scenario
from orchestration.generator.sources import Sources
from orchestration.generator.timeline import Window, day_number, parse_day, years_ago

NEVER = 10**6  # a day number far in the future: relationship still lasting
LARGE_FEN = 3_500_000_000  # 35 million CNY, comfortably above the 30 million 'major' threshold
# (name, legal entity?, relationship, valid from, valid to)
PARTIES = [
    ("贵州众惠数字科技有限公司", True, "子公司", "2018-05-10", None),
    ("众惠健康管理（贵州）有限公司", True, "子公司", "2019-03-22", None),
    ("黔信保险经纪有限公司", True, "主要会员控制的企业", "2017-02-14", None),
    ("贵阳筑城投资发展有限公司", True, "董事任职的企业", "2017-02-14", "2023-06-30"),
    ("西南汇通资产管理有限公司", True, "主要会员", "2017-02-14", None),
    ("贵州云栖信息技术有限公司", True, "关键管理人员控制的企业", "2020-09-01", None),
    ("黔南康宁医院管理有限公司", True, "董事任职的企业", "2021-04-15", None),
    ("贵州汇融融资担保有限公司", True, "主要会员控制的企业", "2022-11-01", None),
    ("遵义和泰实业有限公司", True, "监事任职的企业", "2019-07-01", "2024-03-31"),
    ("筑惠股权投资基金管理有限公司", True, "主要会员控制的企业", "2023-08-01", None),
    ("贵州黔丰农业发展有限公司", True, "独立董事任职的企业", "2018-01-01", None),
    ("众惠公益基金会", True, "发起设立的公益机构", "2019-01-01", None),
    ("张建华", False, "董事长", "2017-02-14", None),
    ("李明辉", False, "董事", "2017-02-14", "2023-12-31"),
    ("王晓东", False, "总经理", "2019-06-01", None),
    ("陈淑珍", False, "监事长", "2017-02-14", None),
    ("刘志强", False, "副总经理", "2020-03-01", None),
    ("杨海峰", False, "财务负责人", "2018-08-01", None),
    ("赵文博", False, "董事会秘书", "2021-01-15", None),
    ("黄丽娟", False, "独立董事", "2022-06-30", None),
    ("周国庆", False, "董事", "2023-12-31", None),
    ("吴晓慧", False, "副总经理", "2024-05-20", None),
]
ENTITY_CATEGORIES = np.array(["asset", "service", "insurance", "other"])
BIG_CATEGORIES = np.array(["asset", "capital"])


def _day(text: str | None) -> int:
    return NEVER if text is None else parse_day(text)


def _parties() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    entity = np.array([p[1] for p in PARTIES])
    valid_from = np.array([_day(p[3]) for p in PARTIES])
    valid_to = np.array([_day(p[4]) for p in PARTIES])
    return entity, valid_from, valid_to


def _valid_party(rng: np.random.Generator, days: np.ndarray, want_entity: np.ndarray) -> np.ndarray:
    """A party related on each day: a legal entity or a natural person as asked."""
    entity, valid_from, valid_to = _parties()
    ok = (valid_from[None, :] <= days[:, None]) & (valid_to[None, :] >= days[:, None])
    ok &= entity[None, :] == want_entity[:, None]
    score = np.where(ok, rng.random(ok.shape), -1.0)
    return score.argmax(axis=1)


def _agreements(scenario: Scenario, window: Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Unified agreements: about three a year before the period, the target number in it; three-year terms."""
    period_start, period_end = day_number(scenario.period.start), day_number(scenario.period.end)
    n_period = int(scenario.value("rpt_unified_agreements", 5))
    n_history = max(1, round((period_start - window.start_day) / 365 * 3))
    signed = np.sort(
        np.concatenate(
            [
                rng.integers(window.start_day, period_start, n_history),
                rng.integers(period_start, period_end + 1, n_period),
            ]
        )
    )
    party = _valid_party(rng, signed, np.ones(signed.size, dtype=bool))
    seen = np.zeros(len(PARTIES), dtype=bool)
    kind = []
    _, valid_from, _ = _parties()
    for p in party:  # a few dozen agreements: renewal if the party signed one before
        kind.append("renewal" if seen[p] or valid_from[p] < window.start_day - 3 * 365 else "new")
        seen[p] = True
    expires = np.array([day_number(years_ago(np.datetime64(int(d), "D").item(), -3)) - 1 for d in signed])
    return {"signed": signed, "party": party, "type": np.array(kind), "expires": expires}


def _amounts(scenario: Scenario, rng: np.random.Generator, entity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The period's transaction amounts summing exactly to the target, with a few large ones."""
    total = scenario.fen("rpt_amount", 54595.18)
    n = entity.size
    n_large = min(4, int(0.6 * total // LARGE_FEN), int(entity.sum()))
    large = np.zeros(n, dtype=bool)
    large[np.flatnonzero(entity)[:n_large]] = True
    weights = np.where(entity, rng.lognormal(0, 0.8, n), 0.01 * rng.lognormal(0, 0.5, n))
    amounts = np.zeros(n, dtype=np.int64)
    large_total = int(0.6 * total) if n_large else 0
    if n_large:
        amounts[large] = allocate(large_total, rng.uniform(0.95, 1.05, n_large))
    amounts[~large] = allocate(total - large_total, weights[~large])
    return amounts, large


def build_related_party(scenario: Scenario, window: Window, rng: np.random.Generator) -> Sources:
    """Parties (snapshot), transactions and unified agreements."""
    period_start, period_end = day_number(scenario.period.start), day_number(scenario.period.end)
    n_period = int(scenario.value("rpt_count", 35))
    entity_period = rng.random(n_period) < 0.75
    amounts, large = _amounts(scenario, rng, entity_period)
    n_history = round((period_start - window.start_day) / 365 * 55)
    entity_history = rng.random(n_history) < 0.75
    large_history = entity_history & (rng.random(n_history) < 0.06)
    history_amounts = np.round(
        np.where(
            large_history,
            rng.uniform(3.2e9, 1.2e10, n_history),
            np.where(entity_history, 1, 0.01) * rng.lognormal(20.5, 1.0, n_history),
        )
    ).astype(np.int64)
    days = np.concatenate(
        [rng.integers(window.start_day, period_start, n_history), rng.integers(period_start, period_end + 1, n_period)]
    )
    entity = np.concatenate([entity_history, entity_period])
    big = np.concatenate([large_history, large])
    amount = np.concatenate([history_amounts, amounts])
    party = _valid_party(rng, days, entity)
    category = np.where(
        big,
        BIG_CATEGORIES[(rng.random(days.size) < 0.2).astype(np.int64)],
        np.where(entity, ENTITY_CATEGORIES[rng.choice(4, size=days.size, p=[0.35, 0.4, 0.2, 0.05])], "insurance"),
    )
    agreements = _agreements(scenario, window, rng)
    agreement_ids = make_ids("UA", np.arange(1, agreements["signed"].size + 1), 6)
    covered = (
        (agreements["party"][None, :] == party[:, None])
        & (agreements["signed"][None, :] <= days[:, None])
        & (agreements["expires"][None, :] >= days[:, None])
    )
    under = covered.any(axis=1) & np.isin(category, ["service", "insurance", "other"])
    agreement = agreement_ids.take(pa.array(np.where(under, covered.argmax(axis=1), 0), mask=~under))
    order = np.argsort(days, kind="stable")
    party_ids = make_ids("RP", np.arange(1, len(PARTIES) + 1), 4)
    transactions = pa.table(
        {
            "transaction_id": make_ids("RPT", np.arange(1, days.size + 1), 7),
            "party_id": party_ids.take(pa.array(party[order])),
            "category": pa.array(category[order]),
            "executed_on": pa.array(days[order].astype(np.int32), pa.date32()),
            "amount": money(amount[order]),
            "agreement_id": agreement.take(pa.array(order)),
        }
    )
    unified = pa.table(
        {
            "agreement_id": agreement_ids,
            "party_id": party_ids.take(pa.array(agreements["party"])),
            "agreement_type": pa.array(agreements["type"]),
            "signed_on": pa.array(agreements["signed"].astype(np.int32), pa.date32()),
            "expires_on": pa.array(agreements["expires"].astype(np.int32), pa.date32()),
        }
    )

    def parties_at(day: int) -> pa.Table:
        _, valid_from, valid_to = _parties()
        rows = np.flatnonzero(valid_from <= day)
        ended = valid_to[rows] <= day
        return pa.table(
            {
                "party_id": party_ids.take(pa.array(rows)),
                "party_name": pa.array([PARTIES[i][0] for i in rows]),
                "party_type": pa.array(["legal_entity" if PARTIES[i][1] else "natural_person" for i in rows]),
                "relationship": pa.array([PARTIES[i][2] for i in rows]),
                "valid_from": pa.array(valid_from[rows].astype(np.int32), pa.date32()),
                "valid_to": pa.array(valid_to[rows].astype(np.int32), pa.date32(), mask=~ended),
            }
        )

    return Sources(
        events={"related_party/transactions": transactions, "related_party/unified_agreements": unified},
        snapshots={"related_party/parties": parties_at},
    )
