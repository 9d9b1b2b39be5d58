"""What a source-system builder hands to the writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class Sources:
    """Event tables (whole history, or batches of it in the order of its partition column) and snapshot tables
    (state as of a day number), keyed ``system/table``."""

    events: dict[str, pa.Table | Iterator[pa.Table]] = field(default_factory=dict)
    snapshots: dict[str, Callable[[int], pa.Table]] = field(default_factory=dict)
