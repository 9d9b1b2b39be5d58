"""The delivery archive keeps every delivery by sha256, read-only and owner-only."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from orchestration import deliveries
from orchestration.ingest import file_sha256
from orchestration.reproduce import ReproductionError, reproduce, stage_inputs


def _deliver(home: Path, text: str) -> Path:
    path = home / "landing" / "policy" / "policies_2025Q2.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _keep(path: Path, home: Path) -> Path:
    return deliveries.archive(deliveries.scan(path, home), home)


def test_a_redelivery_under_the_same_name_keeps_the_first(home: Path) -> None:
    first = _deliver(home, "policy_id\nP1\n")
    first_sha = file_sha256(first)
    kept = _keep(first, home)
    assert kept == home / "deliveries" / first_sha
    assert _keep(first, home) == kept  # kept once
    second = _deliver(home, "policy_id\nP1\nP2\n")
    second_sha = file_sha256(second)
    _keep(second, home)
    assert kept.read_bytes() == b"policy_id\nP1\n"
    assert sorted(p.name for p in (home / "deliveries").iterdir()) == sorted([first_sha, second_sha])
    assert stat.S_IMODE((home / "deliveries").stat().st_mode) == 0o700
    assert stat.S_IMODE(kept.stat().st_mode) == 0o400


def test_a_scan_stages_exactly_the_bytes_it_hashed_and_a_discarded_scan_leaves_nothing(home: Path) -> None:
    path = _deliver(home, "policy_id,名称\nP1,互助\n")
    scanned = deliveries.scan(path, home)
    assert scanned.sha256 == file_sha256(path) and scanned.utf8
    assert scanned.staged.read_bytes() == path.read_bytes()
    deliveries.discard(scanned)
    assert list((home / "deliveries").iterdir()) == []
    path.write_bytes("policy_id,名称\nP1,互助\n".encode("gbk"))
    assert not deliveries.scan(path, home).utf8


def test_missing_or_altered_inputs_are_reported(home: Path) -> None:
    path = _deliver(home, "policy_id\nP1\n")
    sha = file_sha256(path)
    inputs = [{"file": "landing/policy/policies_2025Q2.csv", "sha256": sha, "rows": 1}]
    [missing] = deliveries.missing_inputs(inputs, home)
    assert missing == f"landing/policy/policies_2025Q2.csv: sha256 {sha} not in {home / 'deliveries'}"
    kept = _keep(path, home)
    assert deliveries.missing_inputs(inputs, home, recompute=True) == []
    kept.chmod(0o600)
    kept.write_bytes(b"tampered")
    assert deliveries.missing_inputs(inputs, home) == []
    assert "does not hash to its name" in deliveries.missing_inputs(inputs, home, recompute=True)[0]


def test_a_package_whose_inputs_are_not_kept_is_not_rebuilt(home: Path, tmp_path: Path) -> None:
    package = tmp_path / "extracts" / "2025H1" / "v1"
    package.mkdir(parents=True)
    inputs = [{"file": "landing/policy/policies_2025Q2.csv", "sha256": "ab" * 32, "rows": 1}]
    manifest = {"period": "2025H1", "files": [], "inputs": inputs}
    (package / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReproductionError, match=r"landing/policy/policies_2025Q2\.csv: sha256 (ab){32} not in"):
        reproduce(package, home, tmp_path / "scratch")
    assert not list((tmp_path / "scratch" / "extracts").iterdir())  # nothing closed, nothing published


def test_an_input_outside_the_landing_folder_is_refused(home: Path, tmp_path: Path) -> None:
    path = _deliver(home, "policy_id\nP1\n")
    sha = file_sha256(path)
    _keep(path, home)
    manifest = {"period": "2025H1", "files": [], "inputs": [{"file": "../outside.csv", "sha256": sha, "rows": 1}]}
    with pytest.raises(ReproductionError, match="not a landing file"):
        stage_inputs(manifest, home, tmp_path / "scratch")
    assert not (tmp_path / "outside.csv").exists()
