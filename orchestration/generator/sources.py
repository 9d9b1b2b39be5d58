"""What a source-system builder hands to the writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa


@dataclass
class Sources:
    """Event tables (whole history) and snapshot tables (state as of a day number), keyed ``system/table``."""

    events: dict[str, pa.Table] = field(default_factory=dict)
    snapshots: dict[str, Callable[[int], pa.Table]] = field(default_factory=dict)
