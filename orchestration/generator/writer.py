"""Writing landing files: one file per table and quarter, in each source system's export format, and each
system's delivery markers once all its files are written."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.generator.timeline import DAY, Window, day_number
from orchestration.landing_contract import FILE_FORMATS, Table, delivery_marker, system_tables
from orchestration.periods import Period

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "money": pa.decimal128(18, 2),
    "rate": pa.decimal128(18, 6),
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
    "boolean": pa.bool_(),
}
BOM = b"\xef\xbb\xbf"
MARKER = "_demo.json"
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, batch_size=65_536)
LANDING_FORMATS = FILE_FORMATS  # what the landing contracts accept


@dataclass(frozen=True)
class FileFormat:
    """How a source system exports a table."""

    extension: str = "csv"
    encoding: str = "utf-8"
    bom: bool = False


def file_format(table: Table, landing_format: str = "csv") -> FileFormat:
    """Export format per table: Excel-style BOM for the ledger, GBK for the compliance register, Parquet for custody
    holdings, plain UTF-8 CSV otherwise; with ``landing_format`` ``parquet`` (a large delivery), every event table
    in Parquet too."""
    if landing_format not in LANDING_FORMATS:
        raise ValueError(f"landing format must be one of {LANDING_FORMATS}, not {landing_format!r}")
    if table.key == "investments/holdings" or (landing_format == "parquet" and table.kind == "event"):
        return FileFormat("parquet")
    if table.system == "ledger":
        return FileFormat(bom=True)
    if table.system == "related_party":
        return FileFormat(encoding="gbk")
    return FileFormat()


def conform(table: Table, data: pa.Table) -> pa.Table:
    """The contract's columns, in its order, with its types."""
    schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])
    return data.select(table.column_names).cast(schema)


def _open_private(path: Path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "wb")


def write_file(path: Path, data: pa.Table, fmt: FileFormat) -> None:
    """Write one landing file, readable by its owner only, and flush it to disk."""
    with _open_private(path) as out:
        if fmt.extension == "parquet":
            pq.write_table(data, out, compression="zstd")
        elif fmt.encoding == "utf-8":
            if fmt.bom:
                out.write(BOM)
            pacsv.write_csv(data, out, CSV_OPTIONS)
        else:
            sink = pa.BufferOutputStream()
            pacsv.write_csv(data, sink, CSV_OPTIONS)
            out.write(sink.getvalue().to_pybytes().decode("utf-8").encode(fmt.encoding))
        out.flush()
        os.fsync(out.fileno())


def _seconds(column: pa.ChunkedArray) -> np.ndarray:
    """A timestamp or date column as int64 seconds."""
    if column.type == pa.timestamp("s"):
        return column.cast(pa.int64()).to_numpy()
    return column.cast(pa.int32()).to_numpy().astype(np.int64) * DAY


def _in_order(data: pa.Table, column: str) -> pa.Table:
    """Rows sorted by ``column`` (stable), left as they are when already in order."""
    values = _seconds(data.column(column))
    if values.size and np.any(values[1:] < values[:-1]):
        return data.take(pa.array(np.argsort(values, kind="stable")))
    return data


class _QuarterFile:
    """One landing file written batch by batch (readable by its owner only, flushed to disk when closed)."""

    def __init__(self, path: Path, fmt: FileFormat, table: Table):
        self.fmt = fmt
        self.out = _open_private(path)
        schema = pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in table.columns])
        if fmt.extension == "parquet":
            self.writer = pq.ParquetWriter(self.out, schema, compression="zstd")
        else:
            if fmt.bom:
                self.out.write(BOM)
            self.sink = self.out if fmt.encoding == "utf-8" else pa.BufferOutputStream()
            self.writer = pacsv.CSVWriter(self.sink, schema, write_options=CSV_OPTIONS)

    def write(self, data: pa.Table) -> None:
        self.writer.write_table(data)

    def close(self) -> None:
        self.writer.close()
        if self.fmt.extension != "parquet" and self.fmt.encoding != "utf-8":
            self.out.write(self.sink.getvalue().to_pybytes().decode("utf-8").encode(self.fmt.encoding))
        self.out.flush()
        os.fsync(self.out.fileno())
        self.out.close()

    def abandon(self) -> None:
        """Release the file of a failed run (its partial content is not a delivery: no marker is written)."""
        if not self.out.closed:
            with contextlib.suppress(Exception):
                self.writer.close()
            self.out.close()


@dataclass
class Landing:
    """The landing folder of one generation run."""

    home: Path
    window: Window
    progress: Callable[[str], None] | None = None
    landing_format: str = "csv"
    rows: dict[str, int] = field(default_factory=dict)
    written: dict[str, set[str]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.home / "landing"

    def prepare(self) -> None:
        """Start from an empty landing folder; refuse to overwrite one not made by the generator."""
        if self.root.exists():
            if any(self.root.iterdir()) and not (self.root / MARKER).exists():
                raise FileExistsError(f"{self.root} holds data not generated as demo data; not overwriting it")
            shutil.rmtree(self.root)
        self._mkdir(self.root)

    def _mkdir(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)

    def _path(self, table: Table, quarter: Period) -> Path:
        folder = self.root / table.system
        self._mkdir(folder)
        return folder / f"{table.file_stem(quarter.label)}.{self._format(table).extension}"

    def _format(self, table: Table) -> FileFormat:
        return file_format(table, self.landing_format)

    def event(self, table: Table, data: pa.Table | Iterable[pa.Table]) -> None:
        """Split an event table by the quarter of its partition column; every quarter gets a file.

        ``data``: the whole table, or batches in the order of the partition column, each written as it comes so
        that a large table is never whole in memory."""
        if isinstance(data, pa.Table):
            data = [_in_order(conform(table, data), table.partition_by)]
        bounds = self.window.quarter_bounds_days() * DAY
        quarters, fmt = self.window.quarters, self._format(table)
        files: list[_QuarterFile] = []
        rows, latest = 0, None
        try:
            for batch in data:
                batch = conform(table, batch)
                values = _seconds(batch.column(table.partition_by))
                if values.size == 0:
                    continue
                if np.any(values[1:] < values[:-1]) or (latest is not None and values[0] < latest):
                    raise ValueError(f"{table.key}: batches not in order of {table.partition_by}")
                if values[0] < bounds[0] or values[-1] >= bounds[-1]:
                    raise ValueError(f"{table.key}: rows outside the landed quarters")
                cuts = np.searchsorted(values, bounds, side="left")
                for i in np.flatnonzero(cuts[1:] > cuts[:-1]):
                    files = self._open_through(table, fmt, files, int(i))
                    files[i].write(batch.slice(cuts[i], cuts[i + 1] - cuts[i]))
                rows, latest = rows + batch.num_rows, values[-1]
            files = self._open_through(table, fmt, files, len(quarters) - 1)
            files[-1].close()
        except BaseException:
            for file in files:
                file.abandon()
            raise
        self._done(table, rows)

    def _open_through(self, table: Table, fmt: FileFormat, files: list[_QuarterFile], last: int):
        """The quarter files up to ``last`` opened (every earlier one closed: batches come in order)."""
        while len(files) <= last:
            if files:
                files[-1].close()
            files.append(_QuarterFile(self._path(table, self.window.quarters[len(files)]), fmt, table))
        return files

    def snapshot(self, table: Table, state_at: Callable[[int], pa.Table]) -> None:
        """Write the state at each quarter end (``state_at`` takes a day number)."""
        rows = 0
        for quarter in self.window.quarters:
            data = conform(table, state_at(day_number(quarter.end)))
            write_file(self._path(table, quarter), data, self._format(table))
            rows = data.num_rows
        self._done(table, rows)

    def _done(self, table: Table, rows: int) -> None:
        self.rows[table.key] = rows
        if self.progress:
            self.progress(f"{table.key}: {rows} rows")
        self.written.setdefault(table.system, set()).add(table.name)
        if self.written[table.system] == {t.name for t in system_tables(table.system)}:
            self._mark_delivered(table.system)

    def _mark_delivered(self, system: str) -> None:
        """Drop ``<system>/<YYYYQn>.done`` for every quarter, once every file of the system is written.

        Each marker is written under a temporary name and renamed, so it appears whole and only after the files.
        """
        folder = self.root / system
        for quarter in self.window.quarters:
            marker = delivery_marker(folder, quarter.label)
            staged = marker.with_name(f".{marker.name}.partial")
            with _open_private(staged) as out:
                out.write(f"{system} {quarter.label}: every table delivered\n".encode())
                out.flush()
                os.fsync(out.fileno())
            os.replace(staged, marker)
