"""What the scale-out proofs need from the machine: a Java runtime (Spark) and the PostgreSQL server binaries."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

import pytest

HOW_TO_INSTALL = "run scripts/system-packages.sh as root"


def require(what: str) -> None:
    """Fail under CI (``CI=true``: the machine must provide it), skip elsewhere."""
    message = f"{what} not installed ({HOW_TO_INSTALL})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def java() -> str:
    """The ``java`` Spark will start: ``$JAVA_HOME/bin/java`` or ``java`` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    found = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not found or not Path(found).exists():
        require("Java 17 (openjdk-17-jre-headless)")
    return found


def postgres_bin() -> Path:
    """The folder of initdb and pg_ctl: on PATH, or Debian's newest /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not debian:
        require("PostgreSQL server (postgresql)")
    return Path(debian[-1]).parent
