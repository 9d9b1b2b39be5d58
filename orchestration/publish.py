"""Publication of regulator extract packages under ``extracts/<period>/v<N>/``: atomic and immutable.

A package appears whole or not at all (written to a hidden folder, then renamed). A published version is
never overwritten: publishing again with identical content is a no-op; different content needs an explicit
restatement reason and becomes ``v<N+1>``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from orchestration import settings
from orchestration.periods import Period, cst_now

MANIFEST = "manifest.json"


class PublicationError(Exception):
    """A package could not be published."""


@dataclass(frozen=True)
class Published:
    """Where a package is and whether this call wrote it."""

    path: Path
    version: int
    written: bool


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def code_version() -> str:
    """The git commit of the code, ``-dirty`` when the work tree has changes, ``unknown`` outside git."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=settings.REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def format_value(value: Decimal) -> str:
    """Full precision, no exponent, no trailing zeros."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def display_value(value: Decimal, decimals: int) -> str:
    """Rounded half up to the published number of decimals."""
    return str(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def metrics_csv(rows: list[tuple[str, Decimal | str, int, str]]) -> bytes:
    """``metric_code,value,display_value,unit`` for (code, value, display decimals, unit) rows; a grade (text) is
    written as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["metric_code", "value", "display_value", "unit"])
    for code, value, decimals, unit in rows:
        if isinstance(value, str):
            writer.writerow([code, value, value, unit])
        else:
            writer.writerow([code, format_value(value), display_value(value, decimals), unit])
    return buffer.getvalue().encode("utf-8")


def _versions(folder: Path) -> list[int]:
    if not folder.exists():
        return []
    return sorted(
        int(p.name[1:]) for p in folder.iterdir() if p.is_dir() and p.name[:1] == "v" and p.name[1:].isdigit()
    )


def _content_fingerprint(files: dict[str, bytes], inputs: list[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}:{sha256_bytes(files[name])}\n".encode())
    for item in sorted(inputs, key=lambda i: i["file"]):
        digest.update(f"input:{item['file']}:{item['sha256']}\n".encode())
    return digest.hexdigest()


def publish_package(
    period: Period,
    package: str,
    files: dict[str, bytes],
    row_counts: dict[str, int],
    inputs: list[dict[str, Any]],
    provenance: dict[str, Any],
    restatement_reason: str | None = None,
    root: Path | None = None,
) -> Published:
    """Write ``files`` and a manifest as the next version of ``period``'s extract, atomically."""
    folder = settings.extracts_dir(root) / period.label
    folder.mkdir(parents=True, exist_ok=True)
    fingerprint = _content_fingerprint(files, inputs)
    versions = _versions(folder)
    if versions:
        latest = folder / f"v{versions[-1]}"
        manifest = json.loads((latest / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("content_fingerprint") == fingerprint:
            return Published(latest, versions[-1], written=False)
        if not restatement_reason:
            raise PublicationError(
                f"{period.label} v{versions[-1]} is published and its content or inputs differ from this run's; "
                "publish a restatement with a reason (regwh close --restate REASON) to write "
                f"v{versions[-1] + 1}"
            )
    version = (versions[-1] if versions else 0) + 1
    manifest = {
        "package": package,
        "period": period.label,
        "version": version,
        "restatement_reason": restatement_reason if versions else None,
        "published_at": cst_now().isoformat(timespec="seconds"),
        **provenance,
        "content_fingerprint": fingerprint,
        "files": [
            {"name": name, "sha256": sha256_bytes(files[name]), "rows": row_counts.get(name)} for name in sorted(files)
        ],
        "inputs": sorted(inputs, key=lambda i: i["file"]),
    }
    staging = folder / f".v{version}.{uuid.uuid4().hex}.partial"
    staging.mkdir()
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in staging.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        os.rename(staging, folder / f"v{version}")
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise PublicationError(f"could not publish {period.label} v{version}: {exc}") from exc
    return Published(folder / f"v{version}", version, written=True)


def latest_package(period: Period, root: Path | None = None) -> Path | None:
    folder = settings.extracts_dir(root) / period.label
    versions = _versions(folder)
    return folder / f"v{versions[-1]}" if versions else None


def verify_package(path: Path) -> list[str]:
    """Problems found when recomputing the manifest's checksums (empty when the package is intact)."""
    manifest_path = path / MANIFEST
    if not manifest_path.exists():
        return [f"{manifest_path} is missing"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    listed = {entry["name"] for entry in manifest["files"]}
    for entry in manifest["files"]:
        file = path / entry["name"]
        if not file.exists():
            problems.append(f"{entry['name']}: missing")
        elif sha256_bytes(file.read_bytes()) != entry["sha256"]:
            problems.append(f"{entry['name']}: sha256 differs from the manifest")
    for file in sorted(path.iterdir()):
        if file.name != MANIFEST and file.name not in listed:
            problems.append(f"{file.name}: not listed in the manifest")
    return problems


def regulatory_tests(package: Path) -> list[str]:
    """The regulatory tests of a package's solvency summary, one line each (FAILED in capitals); none without one."""
    summary = package / "solvency_summary.csv"
    if not summary.exists():
        return []
    with summary.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["regulatory_test"]]
    lines = []
    for row in rows:
        figure = row["this_quarter_grade"] or f"{Decimal(row['this_quarter_value']).quantize(Decimal('0.01'))} %"
        state = "passed" if row["this_quarter_passed"] == "True" else "FAILED"
        lines.append(f"regulatory test {state}: {row['regulatory_test']} ({row['name_zh']} {figure})")
    return lines
