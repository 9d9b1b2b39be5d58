"""Every delivery kept: a content-addressed, read-only copy ``$REGWH_HOME/deliveries/<sha256>`` of each landing
file, made when it is extracted.

A later delivery under the same file name replaces the landing file, never an archived copy, so each input a
package's manifest lists (by sha256) can be found again and the package rebuilt from it. The archive holds
personal data as received: owner-only like ``landing/``, and never published.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.ingest import feed_utf8, file_sha256

_CHUNK = 1 << 24


def archived(sha256: str, root: Path | None = None) -> Path:
    """Where the delivery with this sha256 is kept."""
    return settings.deliveries_dir(root) / sha256


@dataclass(frozen=True)
class Scan:
    """One read of a landing file: its sha256, whether it is UTF-8, and its copy staged for the archive."""

    source: Path
    sha256: str
    utf8: bool
    staged: Path


def scan(source: Path, root: Path | None = None) -> Scan:
    """Read ``source`` once: hash it, check it decodes as UTF-8 and copy it beside the archive (not yet kept).

    The copy is exactly the bytes hashed, so it needs no second hash; :func:`archive` keeps it under its sha256,
    :func:`discard` drops it.
    """
    folder = settings.deliveries_dir(root)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    staged = folder / f".{uuid.uuid4().hex}.partial"
    digest = hashlib.sha256()
    decoder, utf8 = codecs.getincrementaldecoder("utf-8")(), True
    try:
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                if utf8:
                    try:
                        feed_utf8(decoder, chunk)
                    except UnicodeDecodeError:
                        utf8 = False
            dst.flush()
            os.fsync(dst.fileno())
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        staged.chmod(0o400)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return Scan(source, digest.hexdigest(), utf8, staged)


def archive(scanned: Scan, root: Path | None = None) -> Path:
    """Keep a :func:`scan`'s staged copy under its sha256 (dropped if that delivery is already kept)."""
    target = archived(scanned.sha256, root)
    if target.exists():
        scanned.staged.unlink(missing_ok=True)
    else:
        os.replace(scanned.staged, target)
    return target


def discard(scanned: Scan) -> None:
    """Drop a :func:`scan`'s staged copy (its extraction failed or was abandoned)."""
    scanned.staged.unlink(missing_ok=True)


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
