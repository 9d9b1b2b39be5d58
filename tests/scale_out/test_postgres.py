"""The production instance: Dagster storage on a real PostgreSQL server, with a close run through it.

A throw-away PostgreSQL cluster is initialised in a temporary folder and started on a free loopback port
(initdb and pg_ctl on PATH or, as Debian's `postgresql` package puts them, under
/usr/lib/postgresql/<version>/bin; as root the server runs as the `postgres` user). Without them the tests
fail under CI and are skipped elsewhere. The storage sections of deploy/dagster.yaml, unchanged, with the
credentials in the DAGSTER_PG_* environment variables, become the instance of a `regwh close` of a tiny
delivery. The runs are then read back from PostgreSQL, through SQL and through DagsterInstance. The
Kubernetes run launcher and the queue of deploy/dagster.yaml need a cluster and are left out here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SEED_SCENARIO, regwh
from tests.scale_out.machine import postgres_bin

DEPLOY_INSTANCE = REPO / "deploy" / "dagster.yaml"
STORAGE = ("run_storage", "event_log_storage", "schedule_storage")
USER, PASSWORD, DB = "regwh_dagster", "test-only-password", "dagster"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres() -> Iterator[dict[str, str]]:
    """A PostgreSQL server on 127.0.0.1:<free port>, with a password-protected `dagster` database."""
    bin_dir = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="regwh-pg-"))
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(folder, "postgres", "postgres")
    data, log, pwfile = folder / "data", folder / "server.log", folder / "pw"
    pwfile.write_text(PASSWORD, encoding="utf-8")
    if as_root:
        shutil.chown(pwfile, "postgres", "postgres")
    port = _free_port()

    def run(*command: str) -> None:
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, cwd=folder)
        assert result.returncode == 0, f"{command[0]}: {result.stdout}{result.stderr}"

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
        "-E", "UTF8", "--locale=C")  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {folder} -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
    try:
        import psycopg2

        con = psycopg2.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, dbname="postgres")
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"create database {DB}")
        con.close()
        yield {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(port),
            "DAGSTER_PG_DB": DB,
            "DAGSTER_PG_USERNAME": USER,
            "DAGSTER_PG_PASSWORD": PASSWORD,
        }
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def _storage_only_instance(dagster_home: Path) -> None:
    """deploy/dagster.yaml's storage, as is (credentials from the environment), in ``dagster_home``."""
    production = yaml.safe_load(DEPLOY_INSTANCE.read_text(encoding="utf-8"))
    instance = {key: production[key] for key in STORAGE}
    instance["run_queue"] = {"max_concurrent_runs": 1}
    instance["telemetry"] = {"enabled": False}
    dagster_home.mkdir(parents=True, exist_ok=True)
    (dagster_home / "dagster.yaml").write_text(yaml.safe_dump(instance), encoding="utf-8")


def test_deploy_instance_keeps_every_storage_in_postgres_and_no_secret_in_the_file() -> None:
    production = yaml.safe_load(DEPLOY_INSTANCE.read_text(encoding="utf-8"))
    for key in STORAGE:
        assert production[key]["module"].startswith("dagster_postgres."), key
        db = production[key]["config"]["postgres_db"]
        assert db["password"] == {"env": "DAGSTER_PG_PASSWORD"} and db["username"] == {"env": "DAGSTER_PG_USERNAME"}
    assert production["run_launcher"]["class"] == "K8sRunLauncher"
    assert "REGWH_TARGET=spark" in production["run_launcher"]["config"]["env_vars"]
    values = yaml.safe_load((REPO / "deploy" / "values.yaml").read_text(encoding="utf-8"))
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert "REGWH_TARGET=spark" in values["runLauncher"]["config"]["k8sRunLauncher"]["envVars"]
    assert {"name": "REGWH_TARGET", "value": "spark"} in values["dagster-user-deployments"]["deployments"][0]["env"]
    assert values["postgresql"]["enabled"] is False


def test_a_close_runs_on_a_postgres_instance_and_reads_back(postgres: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / "home"
    _storage_only_instance(root / "dagster")
    generated = regwh(
        root, "generate", "--scenario", str(SEED_SCENARIO), "--scale", "0.002", "--seed", "42", "--no-calibrate"
    )
    assert generated.returncode == 0, generated.stderr
    closed = regwh(root, "close", "--period", "2025H1", **postgres)
    assert closed.returncode == 0, closed.stdout[-3000:] + closed.stderr[-3000:]
    assert (root / "extracts" / "2025H1" / "v1" / "metrics.csv").exists()
    assert not list((root / "dagster").glob("**/*.db")), "a SQLite storage was used instead of PostgreSQL"

    import psycopg2

    con = psycopg2.connect(
        host="127.0.0.1",
        port=int(postgres["DAGSTER_PG_PORT"]),
        user=USER,
        password=PASSWORD,
        dbname=DB,
    )
    with con, con.cursor() as cur:
        cur.execute("select pipeline_name, status, partition from runs order by create_timestamp")
        runs = cur.fetchall()
        cur.execute("select count(*) from event_logs where dagster_event_type = 'ASSET_MATERIALIZATION'")
        materializations = cur.fetchone()[0]
    con.close()
    assert [(name, status) for name, status, _ in runs] == [("extract", "SUCCESS"), ("close_half_year", "SUCCESS")]
    assert runs[1][2] == "2025Q2"
    assert materializations > 50

    os.environ.update(postgres)
    try:
        import dagster as dg

        with dg.DagsterInstance.from_config(str(root / "dagster")) as instance:
            assert type(instance.run_storage).__name__ == "PostgresRunStorage"
            assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
            assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
            latest = instance.get_runs(limit=1)[0]
            assert latest.job_name == "close_half_year" and latest.status == dg.DagsterRunStatus.SUCCESS
            assert latest.tags["regwh/period"] == "2025H1"
            published = instance.get_latest_materialization_event(dg.AssetKey(["extracts", "half_year_disclosure"]))
            assert published is not None and published.run_id == latest.run_id
    finally:
        for key in postgres:
            os.environ.pop(key, None)
