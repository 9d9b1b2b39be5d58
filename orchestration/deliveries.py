"""Every delivery kept: a content-addressed, read-only copy ``$REGWH_HOME/deliveries/<sha256>`` of each landing
file, made when it is extracted.

A later delivery under the same file name replaces the landing file, never an archived copy, so each input a
package's manifest lists (by sha256) can be found again and the package rebuilt from it. The archive holds
personal data as received: owner-only like ``landing/``, and never published.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.ingest import file_sha256

_CHUNK = 1 << 24


class DeliveryChanged(Exception):
    """A landing file changed while it was being archived."""


def archived(sha256: str, root: Path | None = None) -> Path:
    """Where the delivery with this sha256 is kept."""
    return settings.deliveries_dir(root) / sha256


def keep(source: Path, sha256: str, root: Path | None = None) -> Path:
    """The archived copy of ``source`` (whose sha256 is ``sha256``), copied now unless already kept."""
    target = archived(sha256, root)
    if target.exists():
        return target
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    staged = folder / f".{uuid.uuid4().hex}.partial"
    digest = hashlib.sha256()
    try:
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        if digest.hexdigest() != sha256:
            raise DeliveryChanged(f"{source} changed while being archived; deliver it again")
        staged.chmod(0o400)
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    return target


def missing_inputs(inputs: list[dict[str, Any]], root: Path | None = None, recompute: bool = False) -> list[str]:
    """Inputs (manifest entries with ``file`` and ``sha256``) not in the archive, or, with ``recompute``, whose
    archived bytes no longer hash to their sha256."""
    problems = []
    for item in inputs:
        path = archived(item["sha256"], root)
        if not path.exists():
            problems.append(f"{item['file']}: sha256 {item['sha256']} not in {path.parent}")
        elif recompute and file_sha256(path) != item["sha256"]:
            problems.append(f"{item['file']}: archived copy {path.name} does not hash to its name")
    return problems
