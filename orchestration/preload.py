"""Import the modules a close's later steps need in a background thread, while this process waits on dbt.

The dbt steps spend their time in dbt's own process; this one only reads its log lines. Importing Great
Expectations (the validation steps) and chainladder (the reserving assets) meanwhile takes their import off the
close's path: about 4.4 and 2.2 s on the two-core machine of docs/performance.md, paid before by the first step
that needed them. Neither is imported when the definitions load.
"""

import importlib
import threading
from collections.abc import Sequence

LATER_STEPS = ("great_expectations", "orchestration.reserving")


def _import_all(modules: Sequence[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # not cached as imported: the step that needs the module imports it again and fails there
            continue


def preload(modules: Sequence[str] = LATER_STEPS) -> threading.Thread:
    """Start importing ``modules`` in a daemon thread. Join it before the caller goes on to import anything: two
    threads importing packages that import each other's modules can each wait on the other's import lock."""
    thread = threading.Thread(target=_import_all, args=(tuple(modules),), name="regwh-preload", daemon=True)
    thread.start()
    return thread
