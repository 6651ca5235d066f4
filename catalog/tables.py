"""Reading one tabular resource (CSV, XLSX, JSON) into a polars frame of raw cell strings.

The frame keeps the cells exactly as Frictionless sees them before any typing:
one ``pl.Utf8`` column per header label, in file order; an empty cell is ``""``;
a cell that is absent because the row is short is ``null``. Each frame row
carries its Frictionless row number (the header is row 1; every record of the
file counts, blank lines included).

CSV is read three ways that give the same table:

* in blocks (``read_batches``), polars on about ``BATCH_BYTES`` of whole lines at
  a time, when each block proves to be one record per line (as many cells per line
  as the header; a line with quotes one whole record, read by Python's ``csv``):
  memory does not grow with the file, whatever its size;
* the fast way, polars on the whole file, when a cheap scan of the lines proves
  that every line is one record with as many cells as the header;
* the exact way, Python's ``csv`` module with the dialect Frictionless would
  use (it sniffs the same sample), for ragged rows, blank lines, line breaks
  inside quoted cells and the like.

XLSX, JSON and CSV dialects beyond the plain ones are read through Frictionless
itself; ``Table.exact`` is False for those, which tells the validator to let
Frictionless validate them too.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import copy
import csv
import gzip
import io
import itertools
import lzma
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from catalog.content import MAX_NESTING, NestingError, check_json_nesting, inside
from catalog.errors import ContentError
from catalog.i18n import _
from catalog.schema import cast_frame

# Limits on data files (docs/publishing.md, "Limits"). Each is checked before the file
# is parsed, with a bounded read or a streaming scan, so a hostile file is refused in
# about the time it takes to read it once, in constant memory.
#
# Above this a file is refused rather than read (a 2 GB upload would need several
# GB of memory); split such tables into several resources. A setting: the environment
# variable CATALOG_MAX_RESOURCE_BYTES (bytes; 0 = no limit) overrides it.
DEFAULT_MAX_RESOURCE_BYTES = 1024 * 1024 * 1024


def _setting(name: str, default: int) -> int:
    """An integer setting from the environment (0 or less means: no limit)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        return default
    return value if value > 0 else NO_LIMIT


NO_LIMIT = 1 << 62
MAX_RESOURCE_BYTES = _setting("CATALOG_MAX_RESOURCE_BYTES", DEFAULT_MAX_RESOURCE_BYTES)
# A CSV file that is validated in batches (read_batches) is never held whole, so it has
# no such limit unless CATALOG_MAX_STREAMED_BYTES sets one.
MAX_STREAMED_BYTES = _setting("CATALOG_MAX_STREAMED_BYTES", NO_LIMIT)
# How much of a CSV file one batch reads (whole lines, about this many bytes): a batch
# costs about five times its size in memory while it is checked.
BATCH_BYTES = _setting("CATALOG_BATCH_BYTES", 32 * 1024 * 1024)
# The first block of a file read in several (see _line_blocks).
FIRST_BATCH_BYTES = 8 * 1024 * 1024
# One line of a CSV file. Parsers buffer a whole line (polars, Python's csv module, the
# dialect sniffer), so a 100 MB file without a line break cost gigabytes; a real row of
# even a wide table is a few kilobytes.
MAX_LINE_BYTES = 1024 * 1024
# Columns of a table (header or any row). SQLite refuses tables wider than 2,000
# columns, and every column costs a schema field, a page section and a SQL column;
# the widest real open-data tables (census microdata) have a few hundred.
MAX_COLUMNS = 1000
# One cell, in any format. A cell is bounded by its line in a CSV, except a quoted
# cell spanning lines: a missing closing quote swallows the rest of the file into one
# cell. 1 MiB still fits the detailed geometry of a municipality as WKT or GeoJSON.
MAX_CELL_BYTES = 1024 * 1024
# Cells beyond the header's width kept for the report: validation reports at most
# this many extra-cell errors, and a ragged file could otherwise hold millions.
MAX_EXTRA_CELLS = 2000
# The dialect sniffer (Python's csv.Sniffer, as Frictionless uses it) runs regular
# expressions whose cost grows with the square of a sample full of quotes: 100 KB of
# ',"' took 95 s. Above this (quote characters x sample length, ~0.3 s) the sample is
# cut to fewer lines; ordinary samples are far below it and are sniffed whole.
SNIFF_BUDGET = 20_000_000
CSV_FORMATS = ("csv", "tsv", "txt")
JSON_FORMATS = ("json", "jsonl", "ndjson")
ZIP_FORMATS = ("xlsx", "ods")
SNIFF_LINES = 100  # what Frictionless samples to sniff the dialect
HEADER_SAMPLE = 100  # the records Frictionless looks at to find the header row
# Compressions Frictionless reads (declared, or from the path's last extension).
COMPRESSIONS = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open, "zip": None}
CHUNK_ROWS = 100_000
HEAD_BYTES = 1 << 20  # enough for the 100 lines the dialect is sniffed from
LINE_SEPARATOR = "\x1f"  # reading whole lines: a byte that never occurs in text


def _plain_lines(source: Path | bytes, rows: int | None = None) -> pl.Series:
    """A CSV file's text as whole lines (polars validates UTF-8 and strips a BOM and the
    ``\\r`` of ``\\r\\n``); PolarsError when it is not UTF-8."""
    return pl.read_csv(
        source,
        has_header=False,
        separator=LINE_SEPARATOR,
        quote_char=None,
        schema={"line": pl.Utf8},
        empty_string_is_null=False,
        raise_if_empty=False,
        n_rows=rows,
    ).to_series()


# Dialect properties the CSV readers here implement; anything else goes to Frictionless.
PLAIN_DIALECT = {
    "delimiter",
    "quoteChar",
    "doubleQuote",
    "escapeChar",
    "skipInitialSpace",
    "lineTerminator",
    "header",
    "caseSensitiveHeader",
    "csvddfVersion",
    "csv",
    "$schema",
}


class TableError(ContentError):
    """A resource file that cannot be read; ``code`` is the Frictionless error type,
    ``row`` and ``field`` where the problem is when it is one row or one cell."""

    def __init__(self, code: str, text: str, hint: str = "", **params: object) -> None:
        super().__init__(text, hint, **params)
        self.code = code
        self.row: int | None = None
        self.field: str | None = None


@dataclass
class Table:
    """One resource's cells as read from its file, before typing."""

    frame: pl.DataFrame  # Utf8 columns; "" = empty cell, null = cell absent (short row)
    row_numbers: pl.Series  # Frictionless row number of each frame row (header = 1)
    labels: list[str]  # the header row as written
    encoding: str  # the encoding the file was read with
    format: str = "csv"
    path: Path | None = None
    # Cells beyond the header's width: (row number, 1-based position, value).
    extra_cells: list[tuple[int, int, str]] = field(default_factory=list)
    # Set when the encoding was not declared and the file is not UTF-8 (e.g. Windows-1252).
    guessed_encoding: str | None = None
    exact: bool = True  # read the way Frictionless reads it, cell for cell
    fast: bool = False  # read by polars (for tests and benchmarks)
    widest: list[int] | None = None  # the longest cell of each column, in bytes, if known
    # The columns typed by their Table Schema, when validation typed every one of them in
    # order (a table it keeps for the build): what typed_frame would make of it again.
    typed: pl.DataFrame | None = None

    @property
    def columns(self) -> list[str]:
        return self.frame.columns


# ---------------------------------------------------------------- locating the file


def resource_path(folder: Path, resource: dict[str, Any]) -> Path:
    """The resource's file, refusing paths that leave the dataset folder."""
    name = resource.get("name", "?")
    path = resource.get("path")
    if isinstance(path, list):
        raise TableError(
            "resource-error",
            _("Resource {resource}: a multipart path must be a list of relative paths."),
            _('Give each part as a relative path, such as ["data/part1.csv", "data/part2.csv"].'),
            resource=name,
        )
    if not isinstance(path, str) or not path:
        raise TableError(
            "resource-error",
            _("Resource {resource} has no path to a data file."),
            _('Add a relative "path" such as "data/{resource}.csv".'),
            resource=name,
        )
    target = inside(folder, path)
    if target is None:
        raise TableError(
            "resource-error",
            _("Resource {resource}: the path {path} points outside the dataset folder."),
            _('Use a relative path inside the dataset folder, such as "data/file.csv".'),
            resource=name,
            path=path,
        )
    if not target.is_file():
        raise TableError(
            "scheme-error",
            _("Resource {resource}: file not found: {path}."),
            _("Check the resource's path; it is relative to the dataset folder."),
            resource=name,
            path=path,
        )
    size = target.stat().st_size
    limit = MAX_RESOURCE_BYTES
    if resource_format(resource) in CSV_FORMATS and compression_of(resource) is None:
        limit = max(MAX_RESOURCE_BYTES, MAX_STREAMED_BYTES)  # checked again if read whole
    if size > limit:
        raise TableError(
            "source-error",
            _("Resource {resource}: {path} is too large ({size} bytes; the limit is {limit})."),
            _("Split the table into several resources (for example one per year)."),
            resource=name,
            path=path,
            size=size,
            limit=MAX_RESOURCE_BYTES,
        )
    return target


def resource_format(resource: dict[str, Any]) -> str:
    fmt = resource.get("format")
    if isinstance(fmt, str) and fmt:
        return fmt.lower()
    path = resource.get("path")
    if isinstance(path, list) and path and isinstance(path[0], str):
        path = path[0]  # multipart: the parts share a format
    if isinstance(path, str) and "." in path:
        stem, ext = path.rsplit(".", 1)
        if ext.lower() in COMPRESSIONS and "." in stem:  # data.csv.gz is CSV, compressed
            ext = stem.rsplit(".", 1)[-1]
        return ext.lower()
    return "csv"


# ---------------------------------------------------------------- public API


def read_resource(folder: Path, resource: dict[str, Any], *, fast: bool = True) -> Table:
    """Read a resource's cells; ``fast=False`` forces the exact CSV reader (tests).

    The limits above are checked first (TableError), so a hostile file is never parsed.
    """
    if resource.get("path") is None and isinstance(resource.get("data"), list):
        table = _read_inline(resource)
        _check_cells(table, resource.get("name", "?"))
        return table
    fmt = resource_format(resource)
    with local_file(folder, resource) as (path, original):
        check_limits(path, resource, fmt)
        return _read_whole(folder, path, original, resource, fmt, fast=fast)


NOT_ONE_RECORD_PER_LINE = "a block that is not one record per line"  # never shown to people


class StreamError(Exception):
    """A file read in batches turned out not to be what the first look proved (invalid
    UTF-8 further on, a line polars reads otherwise): read it again, whole and exactly."""


def read_batches(
    folder: Path,
    resource: dict[str, Any],
    *,
    fast: bool = True,
    batch_bytes: int | None = None,
    stream: bool = True,
) -> Iterator[Table]:
    """The resource's cells in batches of whole records (about ``batch_bytes`` each).

    A plain UTF-8 CSV file whose lines are its records (every line as wide as the
    header; quoted cells without line breaks) is read a block of lines at a time, so
    memory does not grow with the file; anything else (ragged rows, line breaks in
    cells, other encodings and formats) comes as one batch, the whole table.
    Batches carry their own Frictionless row numbers. Each block is proven before it is
    yielded; a block that is not plain raises StreamError, after the batches before it:
    start again with ``stream=False`` (the file is then read whole).
    """
    if resource.get("path") is None and isinstance(resource.get("data"), list):
        yield read_resource(folder, resource, fast=fast)
        return
    fmt = resource_format(resource)
    name = resource.get("name", "?")
    with local_file(folder, resource) as (path, original):
        streamable = (
            stream
            and fast
            and fmt in CSV_FORMATS
            and _plain_dialect(resource.get("dialect"))
            and _plain_utf8(resource.get("encoding"))
        )
        # A file read in blocks has the length of its lines checked block by block, as
        # it is read (_line_blocks): the file is read once, not twice.
        check_limits(path, resource, fmt, lines=not streamable)
        blocks = None
        if streamable:
            blocks = _stream_csv(path, resource, fmt, batch_bytes or BATCH_BYTES)
            if blocks is None:
                _check_lines(path, name)
        if blocks is None:
            yield _read_whole(folder, path, original, resource, fmt, fast=fast)
            return
        for table in blocks:
            table.path = original
            _check_cells(table, name)
            yield table


def _check_whole_size(path: Path, resource: dict[str, Any]) -> None:
    """A file read whole into memory may not exceed MAX_RESOURCE_BYTES."""
    size = path.stat().st_size
    if size > MAX_RESOURCE_BYTES:
        raise TableError(
            "source-error",
            _("Resource {resource}: {path} is too large ({size} bytes; the limit is {limit})."),
            _("Split the table into several resources (for example one per year)."),
            resource=resource.get("name", "?"),
            path=path.name,
            size=size,
            limit=MAX_RESOURCE_BYTES,
        )


def _read_whole(
    folder: Path, path: Path, original: Path, resource: dict[str, Any], fmt: str, *, fast: bool
) -> Table:
    _check_whole_size(path, resource)
    if fmt in CSV_FORMATS and _plain_dialect(resource.get("dialect")):
        table = _read_csv(path, resource, fmt, fast=fast)
    elif path == original:
        table = _read_with_frictionless(folder, path, resource, fmt)
    else:
        local = {**resource, "path": path.name}
        local.pop("compression", None)
        table = _read_with_frictionless(path.parent, path, local, fmt)
    table.path = original
    _check_cells(table, resource.get("name", "?"))
    return table


def _stream_csv(
    path: Path, resource: dict[str, Any], fmt: str, batch_bytes: int
) -> Iterator[Table] | None:
    """Batches of a CSV file whose lines are provably its records; None if not provable."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if _looks_binary(head) or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    sample = head.decode("utf-8-sig", errors="ignore")
    dialect = csv_dialect(sample, resource.get("dialect"), fmt)
    if not _fast_dialect(dialect):
        return None
    if detects_header(resource.get("dialect")) and _header_below(
        sample, dialect, len(head) >= HEAD_BYTES
    ):
        return None
    first = io.StringIO(sample, newline="").readline().rstrip("\r\n")
    if first.count(str(dialect.quotechar)) % 2:  # a quoted label spans lines
        return None
    header = labels_of(next(csv.reader([first], dialect=dialect), []))
    if len(header) < 2:
        return None
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    name = str(resource.get("name", "?"))
    return _csv_blocks(path, dialect, header, encoding, fmt, batch_bytes, name)


def _csv_blocks(
    path: Path,
    dialect: csv.Dialect,
    header: list[str],
    encoding: str,
    fmt: str,
    batch_bytes: int,
    resource: str = "?",
) -> Iterator[Table]:
    """The file's records, a block of whole lines at a time.

    Each block is proven to be one record per line as it is parsed: no lone ``\r``, and
    every line as wide as the header (polars refuses a line with more cells; one with
    fewer, or a blank line, is found by the bytes). A block with quotes is read as
    _read_quoted reads a whole file: each line with a quote must be one whole record,
    which Python's csv module reads (as Frictionless does). A block that is not one
    record per line raises StreamError. The next block is read and parsed in a second
    thread (polars works without the GIL) while the caller checks this one.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    names = column_names(header)
    schema = {n: pl.Utf8 for n in names}
    quote = str(dialect.quotechar).encode()
    per_line = len(names) - 1

    def parse(part: tuple[bytes, int]) -> Parsed:
        """The block's records, the longest cell of each column (in bytes), and the index
        of the first record longer than MAX_LINE_BYTES (None: none is)."""
        data, end = part  # the block's lines are data[:end] (never copied: polars stops there)
        if not end:
            return pl.DataFrame(schema=schema), [0] * len(names), None
        newlines = data.count(b"\n", 0, end)
        lines = newlines + (0 if data[end - 1 : end] == b"\n" else 1)
        crlf = 0
        if data.find(b"\r", 0, end) >= 0:
            crlf = data.count(b"\r\n", 0, end)
            if data.count(b"\r", 0, end) != crlf:
                raise StreamError(NOT_ONE_RECORD_PER_LINE)
        if data.find(quote, 0, end) >= 0:
            return parse_quoted(data, lines)
        try:
            frame = pl.read_csv(
                data,
                has_header=False,
                separator=dialect.delimiter,
                quote_char=None,
                schema=schema,
                empty_string_is_null=False,
                raise_if_empty=False,
                n_rows=lines,
            )
        except pl.exceptions.PolarsError as exc:  # invalid UTF-8 further on
            raise StreamError(str(exc)) from None
        if frame.height != lines:
            raise StreamError(f"read {frame.height} records from {lines} lines")
        # Every line has as many cells as the header: polars refuses a line with more, and
        # pads one with fewer with empty cells, which the bytes give away. Each line is
        # its cells, a delimiter between two, and its end: all of it adds up to the block
        # only if no line is short.
        sizes = frame.select(pl.all().str.len_bytes())
        totals = sizes.select(pl.all().sum()).row(0) if frame.width else ()
        cells = sum(int(total or 0) for total in totals)
        if cells + per_line * frame.height + newlines + crlf != end:
            raise StreamError(NOT_ONE_RECORD_PER_LINE)
        widest = sizes.select(pl.all().max()).row(0) if frame.width else ()
        # A line is its cells and delimiters: the first longer than MAX_LINE_BYTES, if
        # any (the scan of _check_lines, which a file read whole gets before it is read).
        too_long = None
        if per_line + sum(int(size or 0) for size in widest) > MAX_LINE_BYTES:
            lengths = sizes.select(pl.sum_horizontal(pl.all()).cast(pl.Int64)).to_series()
            over = (lengths + per_line > MAX_LINE_BYTES).arg_true()
            too_long = int(over[0]) if len(over) else None
        return frame, [int(size or 0) for size in widest], too_long

    def parse_quoted(data: bytes, lines: int) -> Parsed:
        """A block with quotes: _read_quoted on its lines (each must be one record)."""
        try:
            text = _plain_lines(data, lines)
        except pl.exceptions.PolarsError as exc:  # not UTF-8, or the separator occurs in it
            raise StreamError(str(exc)) from None
        if len(text) != lines:
            raise StreamError(f"read {len(text)} lines from {lines}")
        records = _quoted_records(text, dialect, len(names))
        if records is None:
            raise StreamError(NOT_ONE_RECORD_PER_LINE)
        rows, cells = records
        try:
            frame = pl.read_csv(
                data,
                has_header=False,
                separator=dialect.delimiter,
                quote_char=dialect.quotechar,
                schema=schema,
                empty_string_is_null=False,
                raise_if_empty=False,
                n_rows=lines,
            )
        except pl.exceptions.PolarsError as exc:
            raise StreamError(str(exc)) from None
        if frame.height != lines:
            raise StreamError(f"read {frame.height} records from {lines} lines")
        frame = frame.with_columns(
            frame[name].scatter(rows, [r[i] for r in cells]) for i, name in enumerate(names)
        )
        widest = frame.select(pl.all().str.len_bytes().max()).row(0)
        over = (text.str.len_bytes() > MAX_LINE_BYTES).arg_true()
        too_long = int(over[0]) if len(over) else None
        return frame, [int(size or 0) for size in widest], too_long

    row = 2  # the first record after the header
    blocks = _line_blocks(path, batch_bytes)

    def step(empty: tuple[bytes, int] | None = None) -> Parsed | None:
        """Read, check and parse the next block (in the second thread)."""
        part = next(blocks, empty)
        return None if part is None else parse(part)

    with ThreadPoolExecutor(max_workers=1) as pool:
        # A file with a header only is one empty batch.
        pending: Future[Parsed | None] = pool.submit(step, (b"", 0))
        while (parsed := pending.result()) is not None:
            frame, widest, too_long = parsed
            del parsed
            if too_long is not None:  # in a file read in blocks, a line is its record
                raise _line_too_long(resource, path, row + too_long)
            pending = pool.submit(step)  # the next block, while this one is checked
            numbers = pl.int_range(row, row + frame.height, dtype=pl.Int64, eager=True)
            yield Table(
                frame=frame,
                row_numbers=numbers.alias("row"),
                labels=header,
                encoding=encoding,
                format=fmt,
                fast=True,
                widest=widest,
            )
            row += frame.height
            del frame


def _line_blocks(path: Path, batch_bytes: int) -> Iterator[tuple[bytes, int]]:
    """The file after its first line, in blocks of about ``batch_bytes`` of whole lines:
    (block, end), the lines being ``block[:end]`` (the bytes after ``end`` start the next
    block). The first line was checked by check_limits; the others are measured when
    parsed (_csv_blocks), so a file read in blocks is read once.

    A file of several blocks starts with smaller ones (FIRST_BATCH_BYTES, then twice as
    much each time up to ``batch_bytes``), so that its checks begin early and each block
    is parsed while the one before it is checked."""
    size = max(batch_bytes, 1)
    if path.stat().st_size > size:
        size = min(size, FIRST_BATCH_BYTES)
    with path.open("rb") as fh:
        header = fh.readline(MAX_LINE_BYTES + 2)  # checked: it ends within this
        if b"\r" in header.rstrip(b"\r\n"):
            raise StreamError(NOT_ONE_RECORD_PER_LINE)  # lines ending in a lone CR
        while block := fh.read(size):
            cut = block.rfind(b"\n")
            if len(block) < size or cut == len(block) - 1:
                yield block, len(block)  # the end of the file, or a block that ends a line
            elif cut < 0:  # a line longer than the block: read on to its end (or far
                rest = fh.readline(MAX_LINE_BYTES + 1)  # enough to know it is too long)
                yield block + rest, len(block) + len(rest)
            else:
                fh.seek(cut + 1 - len(block), os.SEEK_CUR)  # the next block starts there
                yield block, cut + 1
            size = min(2 * size, max(batch_bytes, 1))


def _fast_dialect(dialect: csv.Dialect) -> bool:
    """A dialect polars reads as Python's csv module does (for files without quotes)."""
    quote = dialect.quotechar
    return not (
        len(dialect.delimiter) != 1
        or dialect.escapechar
        or dialect.skipinitialspace
        or not dialect.doublequote
        or quote is None
        or len(quote) != 1
    )


def _header_below(sample: str, dialect: csv.Dialect, truncated: bool) -> bool:
    """True when Frictionless would take a record below the first as the header
    (``truncated``: the sample is the start of a longer file, its last line cut)."""
    lines = io.StringIO(sample, newline="").readlines()
    whole = lines[:-1] if truncated else lines
    records = list(itertools.islice(csv.reader(whole, dialect=dialect), HEADER_SAMPLE))
    return header_row(records) != 1


def resource_paths(folder: Path, resource: dict[str, Any]) -> list[Path]:
    """The resource's file, or its parts when ``path`` is a list (multipart)."""
    path = resource.get("path")
    if isinstance(path, list) and path and all(isinstance(p, str) and p for p in path):
        return [resource_path(folder, {**resource, "path": part}) for part in path]
    return [resource_path(folder, resource)]


def compression_of(resource: dict[str, Any]) -> str | None:
    """The declared compression, or the one the path's extension implies (as Frictionless)."""
    declared = resource.get("compression")
    if isinstance(declared, str) and declared:
        return declared.lower()
    path = resource.get("path")
    if isinstance(path, str) and "." in path:
        ext = path.rsplit(".", 1)[-1].lower()
        if ext in COMPRESSIONS:
            return ext
    return None


@contextlib.contextmanager
def local_file(folder: Path, resource: dict[str, Any]) -> Iterator[tuple[Path, Path]]:
    """(a plain file with the resource's bytes, the resource's own file).

    A multipart resource is joined into one temporary file the way Frictionless joins
    it (the parts after the first lose their header line, for CSV with a header); a
    compressed one (``compression``: gz, bz2, xz or zip, or the path's extension) is
    decompressed into one, never beyond the resource size limit. Otherwise the file
    is used as it is.
    """
    parts = resource_paths(folder, resource)
    name = resource.get("name", "?")
    compression = None if len(parts) > 1 else compression_of(resource)
    if len(parts) == 1 and compression is None:
        yield parts[0], parts[0]
        return
    if compression is not None and compression not in COMPRESSIONS:
        raise TableError(
            "compression-error",
            _("Resource {resource}: the compression {compression} is not supported."),
            _('Compress the file with "gz" or "zip", or publish it uncompressed.'),
            resource=name,
            compression=compression,
        )
    handle, temp = tempfile.mkstemp(prefix="catalog-", suffix="." + resource_format(resource))
    target = Path(temp)
    try:
        with os.fdopen(handle, "wb") as out:
            if compression is not None:
                _decompress(parts[0], compression, out, name)
            else:
                _join_parts(parts, resource, out, name)
        yield target, parts[0]
    finally:
        target.unlink(missing_ok=True)


def _copy_bounded(source: Any, out: Any, resource: str, path: Path) -> None:
    written = 0
    while block := source.read(1 << 20):
        written += len(block)
        if written > MAX_RESOURCE_BYTES:
            raise TableError(
                "source-error",
                _("Resource {resource}: {path} unpacks to {size} bytes; the limit is {limit}."),
                _("Split the table into several resources (for example one per year)."),
                resource=resource,
                path=path.name,
                size=written,
                limit=MAX_RESOURCE_BYTES,
            )
        out.write(block)


def _decompress(path: Path, compression: str, out: Any, resource: str) -> None:
    try:
        if compression == "zip":
            with zipfile.ZipFile(path) as archive:
                members = archive.namelist()
                if not members:
                    raise zipfile.BadZipFile("the archive is empty")
                with archive.open(members[0]) as source:
                    _copy_bounded(source, out, resource, path)
            return
        with COMPRESSIONS[compression](path, "rb") as source:  # type: ignore[misc]
            _copy_bounded(source, out, resource, path)
    except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        raise TableError(
            "compression-error",
            _("Resource {resource}: {path} is not a valid {compression} file: {reason}."),
            _('Check the resource\'s "compression" and that the file was fully uploaded.'),
            resource=resource,
            path=path.name,
            compression=compression,
            reason=str(exc) or type(exc).__name__,
        ) from None


def _join_parts(parts: list[Path], resource: dict[str, Any], out: Any, name: str) -> None:
    dialect = resource.get("dialect")
    headless = (isinstance(dialect, dict) and dialect.get("header") is False) or (
        resource_format(resource) != "csv"
    )
    written = 0
    for number, part in enumerate(parts, start=1):
        with part.open("rb") as source:
            for line_number, line in enumerate(source, start=1):
                if not headless and number > 1 and line_number == 1:
                    continue
                written += len(line)
                if written > MAX_RESOURCE_BYTES:
                    raise TableError(
                        "source-error",
                        _(
                            "Resource {resource}: {path} is too large ({size} bytes; the limit is {limit})."
                        ),
                        _("Split the table into several resources (for example one per year)."),
                        resource=name,
                        path=part.name,
                        size=written,
                        limit=MAX_RESOURCE_BYTES,
                    )
                out.write(line)


def typed_frame(table: Table, schema: dict[str, Any]) -> pl.DataFrame:
    """The rows of ``table`` cast to their Table Schema types, columns named by field names.

    Cells that are missing or do not fit their type are null: the build loads only
    valid datasets, so in practice that means missing values.
    """
    return cast_frame(table.frame, schema)


# ---------------------------------------------------------------- limits


def check_limits(path: Path, resource: dict[str, Any], fmt: str, *, lines: bool = True) -> None:
    """The limits a file can be checked against without parsing it (TableError if over).

    ``lines=False``: of a CSV file's lines only the first is checked here (a file read
    in blocks has the others checked as it is read); the errors are those of a full
    check, in the same order.
    """
    name = resource.get("name", "?")
    if fmt in CSV_FORMATS:
        if lines:
            _check_lines(path, name)
        else:
            _check_first_line(path, name)
        try:
            _check_header(path, resource, fmt)
        except TableError:
            if not lines:
                _check_lines(path, name)  # a line too long further on is reported first
            raise
    elif fmt in JSON_FORMATS:
        _check_json(path, name)
    elif fmt in ZIP_FORMATS:
        _check_unpacked(path, name)


def _check_lines(path: Path, resource: str) -> None:
    """Refuse a file with a line longer than MAX_LINE_BYTES, reading it once in blocks.

    Each step looks for the last line break within the next MAX_LINE_BYTES: a file of
    short lines is crossed in steps of about that size, so the scan costs a few
    ``rfind`` calls per megabyte and holds one block in memory.
    """
    lines = _LineCheck(resource, path)
    with path.open("rb") as fh:
        while block := fh.read(4 * MAX_LINE_BYTES):
            lines.feed(block)


def _check_first_line(path: Path, resource: str) -> None:
    """Refuse a file whose first line is longer than MAX_LINE_BYTES (a bounded read)."""
    with path.open("rb") as fh:
        head = fh.read(MAX_LINE_BYTES + 1)
    lines = _LineCheck(resource, path)
    end = head.find(b"\n")
    lines.feed(head, len(head) if end < 0 else end + 1)


Parsed = tuple[pl.DataFrame, list[int], int | None]  # a block parsed by _csv_blocks


class _LineCheck:
    """The scan of _check_lines over the bytes of one file fed to it in order, in blocks
    of any size: raises the error of the first line longer than MAX_LINE_BYTES."""

    def __init__(self, resource: str, path: Path) -> None:
        self.resource, self.path = resource, path
        self.line, self.length = 1, 0  # the line being read, and its bytes in earlier blocks

    def feed(self, block: bytes, stop: int | None = None) -> None:
        """Check ``block[:stop]`` (all of it by default), the bytes after those fed before."""
        stop = len(block) if stop is None else stop
        pos = 0
        while True:
            end = pos + MAX_LINE_BYTES - self.length + 1  # one byte more than allowed
            limit = min(end, stop)
            brk = max(block.rfind(b"\n", pos, limit), block.rfind(b"\r", pos, limit))
            if brk < 0:
                if end <= stop:
                    line = self.line + block.count(b"\n", 0, pos)
                    raise _line_too_long(self.resource, self.path, line)
                self.length += stop - pos
                break
            self.length, pos = 0, brk + 1
        self.line += block.count(b"\n", 0, stop)


def _line_too_long(resource: str, path: Path, line: int) -> TableError:
    return TableError(
        "source-error",
        _("Resource {resource}: line {line} of {path} is longer than {limit} bytes."),
        _(
            "Check that the file has one row per line and that the resource's format and "
            "dialect are right; a table's row is a few kilobytes."
        ),
        resource=resource,
        path=path.name,
        line=line,
        limit=MAX_LINE_BYTES,
    )


def _first_line(path: Path, encoding: Any) -> str:
    """The file's first line (at most MAX_LINE_BYTES, already checked), as text."""
    with path.open("rb") as fh:
        head = fh.read(MAX_LINE_BYTES + 2)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="replace")
    else:
        try:
            text = head.decode(str(encoding or "utf-8-sig"), errors="replace")
        except LookupError:  # an unknown encoding is reported when the file is read
            text = head.decode("utf-8-sig", errors="replace")
    return io.StringIO(text, newline="").readline().rstrip("\r\n")


def _check_header(path: Path, resource: dict[str, Any], fmt: str) -> None:
    """Refuse a header wider than MAX_COLUMNS, before the dialect is sniffed from it.

    The delimiter is the declared one, or for each one Frictionless may sniff the
    header is split with it (the C csv reader, linear): the widest reading counts.
    """
    declared_dialect = resource.get("dialect")
    dialect: dict[str, Any] = declared_dialect if isinstance(declared_dialect, dict) else {}
    declared_csv = dialect.get("csv")
    inner: dict[str, Any] = declared_csv if isinstance(declared_csv, dict) else {}
    declared = dialect.get("delimiter") or inner.get("delimiter") or ("\t" if fmt == "tsv" else "")
    candidates = [declared] if isinstance(declared, str) and len(declared) == 1 else list(",;\t|")
    line = _first_line(path, resource.get("encoding"))
    width = max(len(next(csv.reader([line], delimiter=d), [])) for d in candidates)
    if width > MAX_COLUMNS:
        raise _too_wide(resource.get("name", "?"), path, width, 1)


def _too_wide(resource: str, path: Path, width: int, row: int) -> TableError:
    error = TableError(
        "source-error",
        _("Resource {resource}: row {row} of {path} has {count} columns; the limit is {limit}."),
        _(
            "Split the table into several resources that share a key column, or check the "
            "delimiter the dialect declares."
        ),
        resource=resource,
        path=path.name,
        row=row,
        count=width,
        limit=MAX_COLUMNS,
    )
    error.row = row
    return error


def _check_json(path: Path, resource: str) -> None:
    """Refuse a JSON resource nested deeper than MAX_NESTING, or with a huge string."""

    def blocks():
        with path.open("rb") as fh:
            yield from iter(lambda: fh.read(4 * 1024 * 1024), b"")

    try:
        check_json_nesting(blocks(), MAX_NESTING, max_string=MAX_CELL_BYTES)
    except NestingError as exc:
        if exc.kind == "string":
            raise TableError(
                "source-error",
                _("Resource {resource}: {path} holds a value longer than {limit} bytes."),
                _("Publish long texts as documents and link to them from the table."),
                resource=resource,
                path=path.name,
                limit=MAX_CELL_BYTES,
            ) from None
        raise TableError(
            "source-error",
            _("Resource {resource}: {path} nests lists and objects more than {limit} levels deep."),
            _(
                "A table in JSON is a list of rows (objects or lists of values); "
                "check the file's structure."
            ),
            resource=resource,
            path=path.name,
            limit=MAX_NESTING,
        ) from None


def _check_unpacked(path: Path, resource: str) -> None:
    """Refuse a workbook that unzips to more than MAX_RESOURCE_BYTES (a zip bomb)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(member.file_size for member in archive.infolist())
    except (OSError, zipfile.BadZipFile):
        return  # not a zip: the reader reports what the file is
    if size > MAX_RESOURCE_BYTES:
        raise TableError(
            "source-error",
            _("Resource {resource}: {path} unpacks to {size} bytes; the limit is {limit}."),
            _("Split the workbook into several files, or export each sheet as CSV."),
            resource=resource,
            path=path.name,
            size=size,
            limit=MAX_RESOURCE_BYTES,
        )


def _check_cells(table: Table, resource: str) -> None:
    """Refuse a cell larger than MAX_CELL_BYTES (one vectorised pass over the table, or
    none when its reader measured the cells already)."""
    widest = table.widest
    if widest is None and table.frame.width:
        widest = [
            int(size or 0) for size in table.frame.select(pl.all().str.len_bytes().max()).row(0)
        ]
    if not widest or max(widest) <= MAX_CELL_BYTES:
        return
    for position, name in enumerate(table.frame.columns):
        if widest[position] <= MAX_CELL_BYTES:
            continue
        sizes = table.frame.to_series(position).str.len_bytes()
        if not (sizes > MAX_CELL_BYTES).any():
            continue
        index = (sizes > MAX_CELL_BYTES).arg_true()[0]
        row = int(table.row_numbers[index])
        label = table.labels[position] if position < len(table.labels) else name
        error = TableError(
            "source-error",
            _(
                "Resource {resource}: the value in column {field}, row {row}, has {size} "
                "bytes; the limit is {limit}."
            ),
            _(
                "Publish long texts as documents and link to them, or look for a missing "
                "closing quote that joins many rows into one cell."
            ),
            resource=resource,
            field=label,
            row=row,
            size=int(sizes[index]),
            limit=MAX_CELL_BYTES,
        )
        error.row, error.field = row, label
        raise error


# ---------------------------------------------------------------- CSV


def _plain_dialect(dialect: Any) -> bool:
    if dialect is None:
        return True
    if not isinstance(dialect, dict):
        return False
    if not set(dialect) <= PLAIN_DIALECT:
        return False
    if dialect.get("header") is False or dialect.get("caseSensitiveHeader") is False:
        return False
    inner = dialect.get("csv", {})
    return isinstance(inner, dict) and set(inner) <= PLAIN_DIALECT


def _read_csv(path: Path, resource: dict[str, Any], fmt: str, *, fast: bool) -> Table:
    name = resource.get("name", "?")
    declared = resource.get("encoding")
    detect = detects_header(resource.get("dialect"))
    table = None
    if fast and _plain_utf8(declared):
        # UTF-8 is validated by polars itself: the file is never loaded into Python.
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        if _looks_binary(head):
            decode(head, None, name)  # raises the binary-file error
        if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            sample = head.decode("utf-8-sig", errors="ignore")
            dialect = csv_dialect(sample, resource.get("dialect"), fmt)
            table = _read_csv_fast(path, dialect, sample, detect=detect)
            encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
            guessed = None
    if table is None:
        raw = path.read_bytes()
        text, encoding, guessed = decode(raw, declared, name)
        del raw
        dialect = csv_dialect(text[:HEAD_BYTES], resource.get("dialect"), fmt)
        table = _read_csv_exact(text, dialect, name, path, detect=detect)
    table.encoding = encoding
    table.guessed_encoding = guessed
    table.path = path
    table.format = fmt
    return table


def _plain_utf8(declared: Any) -> bool:
    if not declared:
        return True
    try:
        return codecs.lookup(str(declared)).name == "utf-8"
    except LookupError:
        return False


def decode(raw: bytes, declared: Any, resource: str) -> tuple[str, str, str | None]:
    """The file's text, the encoding used, and the guessed encoding if it was not declared UTF-8.

    Frictionless guesses an undeclared encoding with chardet; we read UTF-8 (with or
    without BOM) and otherwise say it is Windows-1252, which is what a non-UTF-8
    file from a Latin American office almost always is, so the publisher declares it.
    """
    if _looks_binary(raw):
        raise TableError(
            "source-error",
            _("Resource {resource}: the file is binary, not text."),
            _("Export the table as CSV text (UTF-8) and check the resource's path and format."),
            resource=resource,
        )
    if declared:
        try:
            name = codecs.lookup(str(declared)).name
        except LookupError:
            raise TableError(
                "encoding-error",
                _("Resource {resource}: unknown encoding {encoding}."),
                _('Declare "utf-8" or "windows-1252".'),
                resource=resource,
                encoding=str(declared),
            ) from None
        if name == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return raw.decode(name), name, None
        except UnicodeDecodeError as exc:
            hint = _("Save the file as {encoding}, or declare the encoding it really has.")
            if name.startswith("utf-8") and _decodes(raw, "cp1252"):
                hint = _(
                    "The file looks like Windows-1252 (Latin-1): declare "
                    '"encoding": "windows-1252" or save it again as UTF-8.'
                )
            raise TableError(
                "encoding-error",
                _(
                    "Resource {resource}: the file is not valid {encoding} (byte {byte} at "
                    "position {position})."
                ),
                hint,
                resource=resource,
                encoding=name,
                byte=f"0x{raw[exc.start]:02x}",
                position=exc.start,
            ) from None
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig", None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16"), "utf-16", None
    try:
        return raw.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    if _decodes(raw, "cp1252"):
        return raw.decode("cp1252"), "cp1252", "windows-1252"
    return raw.decode("latin-1"), "iso8859-1", "iso-8859-1"


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _looks_binary(raw: bytes) -> bool:
    head = raw[:65536]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def csv_dialect(sample: str, declared: Any, fmt: str) -> csv.Dialect:
    """The Python csv dialect Frictionless would read this file with (declared, then sniffed).

    ``sample`` is the start of the text; like Frictionless we sniff its first 100 lines.
    A file that declares no dialect gets Frictionless's answer without importing it
    (_sniffed_dialect, the same steps).
    """
    if not isinstance(declared, dict) and fmt != "tsv":
        return _sniffed_dialect(sample)
    return _frictionless_dialect(sample, declared, fmt)


def _sniffed_dialect(sample: str) -> csv.Dialect:
    """What _frictionless_dialect gives for a CSV file without a declared dialect: the
    defaults of Frictionless's CsvControl (",", CRLF, '"'), each replaced by what the
    sniffer finds."""
    sniffed: type[csv.Dialect] | csv.Dialect
    try:
        sniffed = csv.Sniffer().sniff(sniff_sample(sample), ",\t;|")
    except csv.Error:
        sniffed = csv.excel()
    found = {
        "delimiter": sniffed.delimiter,
        "lineterminator": sniffed.lineterminator,
        "escapechar": sniffed.escapechar,
        "quotechar": '"' if sniffed.quotechar == "'" else sniffed.quotechar,
        "skipinitialspace": sniffed.skipinitialspace,
    }
    defaults = {
        "delimiter": ",",
        "lineterminator": "\r\n",
        "escapechar": None,
        "quotechar": '"',
        "skipinitialspace": False,
    }
    config = csv.excel()
    for name, default in defaults.items():
        setattr(config, name, default if found[name] is None else found[name])
    config.doublequote = True
    config.quoting = csv.QUOTE_NONE if config.quotechar == "" else csv.QUOTE_MINIMAL
    return config


def _frictionless_dialect(sample: str, declared: Any, fmt: str) -> csv.Dialect:
    """The dialect Frictionless's CsvControl makes of a declared one, sniffing the rest."""
    from frictionless import Dialect
    from frictionless.formats import CsvControl

    dialect = Dialect.from_descriptor(declared) if isinstance(declared, dict) else Dialect()
    control = CsvControl.from_dialect(dialect)
    if fmt == "tsv":
        control.set_not_defined("delimiter", "\t")
    # The sniffer returns a class of its own making; the fallback is an instance.
    sniffed: type[csv.Dialect] | csv.Dialect
    try:
        sniffed = csv.Sniffer().sniff(
            sniff_sample(sample), control.get_defined("delimiter", default=",\t;|")
        )
    except csv.Error:
        sniffed = csv.excel()
    if sniffed.quotechar == "'":
        sniffed.quotechar = '"'
    control.set_not_defined("delimiter", sniffed.delimiter, distinct=True)
    control.set_not_defined("line_terminator", sniffed.lineterminator, distinct=True)
    control.set_not_defined("escape_char", sniffed.escapechar, distinct=True)
    control.set_not_defined("quote_char", sniffed.quotechar, distinct=True)
    control.set_not_defined("skip_initial_space", sniffed.skipinitialspace, distinct=True)
    return control.to_python()


def sniff_sample(text: str) -> str:
    """The first SNIFF_LINES lines, cut to fewer (whole lines if it can) while the
    sniffer's cost, quote characters times length, is over SNIFF_BUDGET."""
    sample = "".join(io.StringIO(text, newline="").readlines()[:SNIFF_LINES])
    while len(sample) > 1 and (sample.count('"') + sample.count("'")) * len(sample) > SNIFF_BUDGET:
        half = len(sample) // 2
        cut = sample.rfind("\n", 0, half)
        sample = sample[: cut + 1] if cut > 0 else sample[:half]
    return sample


def column_names(labels: list[str]) -> list[str]:
    """Frame column names: the labels, with blanks named ``fieldN`` and duplicates suffixed."""
    names: list[str] = []
    used: set[str] = set()
    for number, label in enumerate(labels, start=1):
        base = label if label else f"field{number}"
        name, suffix = base, 2
        while name in used:
            name, suffix = f"{base}{suffix}", suffix + 1
        names.append(name)
        used.add(name)
    return names


def labels_of(cells: list[str]) -> list[str]:
    """The header's labels as Frictionless reads them: each stripped of surrounding spaces."""
    return [cell.strip() for cell in cells]


def header_row(sample: list[list[str]]) -> int:
    """The header's record number (1-based), found as Frictionless finds it when the
    dialect says nothing of the header: the first record whose width is within 10% (at
    least one cell) of the sample's mean width, so that a leading title or comment line
    narrower than the table is skipped; the first record when none is."""
    if not sample:
        return 1
    widths = [len(cells) for cells in sample]
    width = round(sum(widths) / len(widths))
    drift = max(round(width * 0.1), 1)
    for number, cells in enumerate(sample, start=1):
        if width - drift <= len(cells) <= width + drift:
            return number
    return 1


def detects_header(declared: Any) -> bool:
    """True when the dialect says nothing of the header (Frictionless then looks for it)."""
    if not isinstance(declared, dict):
        return True
    inner = declared.get("csv")
    keys = set(declared) | (set(inner) if isinstance(inner, dict) else set())
    return not keys & {"header", "headerRows"}


def _read_csv_exact(
    text: str,
    dialect: csv.Dialect,
    name: str = "?",
    path: Path = Path("?"),
    *,
    detect: bool = True,
) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=dialect)
    sample = list(itertools.islice(reader, HEADER_SAMPLE))
    first = header_row(sample) if detect else 1
    records = itertools.chain(sample[first:], reader)
    labels = labels_of(sample[first - 1] if sample else [])
    names = column_names(labels)
    width = len(names)
    chunks: list[pl.DataFrame] = []
    numbers: list[int] = []
    extra: list[tuple[int, int, str]] = []
    columns: list[list[str | None]] = [[] for _ in names]
    row_number = first
    for cells in records:
        row_number += 1
        numbers.append(row_number)
        for index, column in enumerate(columns):
            column.append(cells[index] if index < len(cells) else None)
        if len(cells) > width:
            if len(cells) > MAX_COLUMNS:
                raise _too_wide(name, path, len(cells), row_number)
            if len(extra) < MAX_EXTRA_CELLS:
                extra.extend(
                    (row_number, position, value)
                    for position, value in enumerate(cells[width:], start=width + 1)
                )
        if len(numbers) % CHUNK_ROWS == 0:
            chunks.append(_chunk(names, columns))
            columns = [[] for _ in names]
    chunks.append(_chunk(names, columns))
    frame = pl.concat(chunks) if len(chunks) > 1 else chunks[0]
    return Table(
        frame=frame,
        row_numbers=pl.Series("row", numbers, dtype=pl.Int64),
        labels=labels,
        encoding="utf-8",
        extra_cells=extra,
    )


def _chunk(names: list[str], columns: list[list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.Utf8)
            for name, values in zip(names, columns, strict=True)
        }
    )


def _read_csv_fast(
    path: Path, dialect: csv.Dialect, sample: str, *, detect: bool = True
) -> Table | None:
    """Polars, when every line is provably one record as wide as the header; None otherwise."""
    quote = str(dialect.quotechar)
    if not _fast_dialect(dialect):
        return None
    if detect and _header_below(sample, dialect, len(sample.encode()) >= HEAD_BYTES - 8):
        return None  # a title line above the header: the exact reader skips it
    first = io.StringIO(sample, newline="").readline().rstrip("\r\n")
    header = labels_of(next(csv.reader([first], dialect=dialect), []))
    counts = _count_bytes(path, dialect.delimiter, quote)
    if counts["\r"] != counts["\r\n"] or len(header) < 2:
        return None
    if counts[quote] == 0:
        return _read_unquoted(path, dialect, header, counts)
    return _read_quoted(path, dialect, header, quote)


def _count_bytes(path: Path, delimiter: str, quote: str) -> dict[str, int]:
    """How many delimiters, quotes and line ends the file holds (read in blocks, not kept)."""
    keys = {"\n": b"\n", "\r": b"\r", delimiter: delimiter.encode(), quote: quote.encode()}
    counts = dict.fromkeys([*keys, "\r\n"], 0)
    last = b""
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            for key, token in keys.items():
                counts[key] += block.count(token)
            if b"\r" in block or last == b"\r":  # rare: only then count the pairs
                counts["\r\n"] += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
            last = block[-1:]
    counts["ends with newline"] = int(last == b"\n")
    return counts


def _read_unquoted(
    path: Path, dialect: csv.Dialect, header: list[str], counts: dict[str, int]
) -> Table | None:
    """No quote in the file: lines are records, and the delimiter count proves the widths.

    Polars refuses a line with too many cells, so if the file holds exactly
    (width - 1) delimiters per line, no line can have too few either (a blank
    line has none).
    """
    lines = counts["\n"] + (0 if counts["ends with newline"] else 1)
    width = len(header)
    if counts[dialect.delimiter] != (width - 1) * lines:
        return None
    frame = _polars_csv(path, dialect, header)
    if frame is None or frame.height != lines - 1:
        return None
    return _fast_table(frame, header)


def _read_quoted(path: Path, dialect: csv.Dialect, header: list[str], quote: str) -> Table | None:
    """Quotes in the file: check line by line, and read the quoted lines with Python's csv.

    A first pass reads the file as plain lines (polars validates UTF-8 and strips a
    BOM and the ``\r`` of ``\r\n``) to prove that there is no blank line, that
    unquoted lines have the header's width, and that lines with quotes each hold
    exactly one record of that width (as Python's csv module, which Frictionless
    uses, reads them; those rows are then taken from it, to the letter).
    """
    try:
        lines = _plain_lines(path)
    except pl.exceptions.PolarsError:  # not UTF-8, or the separator occurs in the file
        return None
    body = lines.slice(1)
    del lines
    found = _quoted_records(body, dialect, len(header))
    if found is None:
        return None
    quoted_rows, records = found
    height = len(body)
    del body
    frame = _polars_csv(path, dialect, header)
    if frame is None or frame.height != height:
        return None
    names = frame.columns
    frame = frame.with_columns(
        frame[name].scatter(quoted_rows, [r[i] for r in records]) for i, name in enumerate(names)
    )
    return _fast_table(frame, header)


def _quoted_records(
    body: pl.Series, dialect: csv.Dialect, width: int
) -> tuple[pl.Series, list[list[str]]] | None:
    """The lines with a quote (their positions) and their records as Python's csv module
    reads them, if every line is one record of ``width`` cells: no blank line, the
    lines without quotes have width - 1 delimiters, each line with quotes is one whole
    record; None otherwise."""
    quote, delimiter = str(dialect.quotechar), dialect.delimiter
    quoted = body.str.contains(quote, literal=True)
    counts = body.str.count_matches(delimiter, literal=True) + 1
    if ((counts != width) & ~quoted).any() or (body == "").any():
        return None
    # A line whose quotes all enclose whole cells ("a, b", "say ""hi""") is read alike by
    # polars and Python's csv module: it needs only its width checked, with the quoted
    # cells taken out. Any other line with a quote is read by the csv module itself.
    q, d = (_literal(c) for c in (quote, delimiter))
    cell = f"(?:{q}(?:[^{q}]|{q}{q})*{q}|[^{q}{d}\\r\\n]*)"
    inside = f"{q}(?:[^{q}]|{q}{q})*{q}"
    try:
        plain = body.str.contains(f"^{cell}(?:{d}{cell})*$") & quoted
        outside = body.str.replace_all(inside, "")
        widths = outside.str.count_matches(delimiter, literal=True) + 1
    except pl.exceptions.PolarsError:  # a pattern polars will not take: csv reads them all
        plain = quoted & False
        widths = counts
    if ((widths != width) & plain).any():
        return None
    quoted_rows = (quoted & ~plain).arg_true()
    quoted_lines = body.gather(quoted_rows).to_list()
    records = list(csv.reader([*quoted_lines, "end"], dialect=dialect))[:-1]
    if len(records) != len(quoted_lines) or any(len(r) != width for r in records):
        return None
    return quoted_rows, records


def _literal(char: str) -> str:
    """One character as a regular expression (polars's syntax: a tab is ``\\t``)."""
    return "\\t" if char == "\t" else re.escape(char)


def _polars_csv(path: Path, dialect: csv.Dialect, header: list[str]) -> pl.DataFrame | None:
    try:
        return pl.read_csv(
            path,
            has_header=False,
            skip_rows=1,
            separator=dialect.delimiter,
            quote_char=dialect.quotechar,
            schema={n: pl.Utf8 for n in column_names(header)},
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError:  # invalid UTF-8, a line with too many cells...
        return None


def _fast_table(frame: pl.DataFrame, header: list[str]) -> Table:
    numbers = pl.int_range(2, frame.height + 2, dtype=pl.Int64, eager=True).alias("row")
    return Table(frame=frame, row_numbers=numbers, labels=header, encoding="utf-8", fast=True)


# ---------------------------------------------------------------- XLSX, JSON, other dialects


def _read_inline(resource: dict[str, Any]) -> Table:
    """Inline ``data`` (a list of rows: lists with a header first, or objects), read by
    Frictionless as it reads them."""
    return _read_with_frictionless(Path("."), None, resource, "inline")


def _read_with_frictionless(
    folder: Path, path: Path | None, resource: dict[str, Any], fmt: str
) -> Table:
    from frictionless import FrictionlessException
    from frictionless.resources import TableResource

    descriptor: dict[str, Any] = {
        key: resource[key] for key in ("path", "format", "dialect", "encoding") if key in resource
    }
    descriptor["name"] = "table"
    descriptor["type"] = "table"  # a .json path is otherwise read as metadata, not rows
    if path is None:
        descriptor["data"] = copy.deepcopy(resource["data"])
        descriptor.pop("path", None)
    else:
        descriptor["path"] = str(path.resolve().relative_to(folder.resolve()))
    try:
        source = TableResource.from_descriptor(descriptor, basepath=str(folder.resolve()))
        with source:
            labels = [str(label) for label in source.labels]
            stream = source.dialect.read_enumerated_content_stream(source.cell_stream)
            rows = [(number, cells) for number, cells in stream]
            encoding = source.encoding or "utf-8"
    except FrictionlessException as exc:
        error = exc.error
        raise TableError(
            error.type if error.type.endswith("-error") else "source-error",
            _("Resource {resource}: cannot read the file: {reason}."),
            _("Check that the file is a valid {format} file and matches the resource's format."),
            resource=resource.get("name", "?"),
            reason=error.note or error.message,
            format=fmt,
        ) from None
    except Exception as exc:  # openpyxl & co. raise anything on a corrupt file
        raise TableError(
            "source-error",
            _("Resource {resource}: cannot read the file: {reason}."),
            _("Check that the file is a valid {format} file and matches the resource's format."),
            resource=resource.get("name", "?"),
            reason=str(exc) or type(exc).__name__,
            format=fmt,
        ) from None
    names = column_names(labels)
    header_rows = source.dialect.header_rows if source.dialect.header else []
    rows = [(n, c) for n, c in rows if n not in header_rows]
    widest = max([(len(labels), 1)] + [(len(c), n) for n, c in rows])
    if widest[0] > MAX_COLUMNS:
        raise _too_wide(resource.get("name", "?"), path or Path("data"), *widest)
    columns = {
        name: pl.Series(
            name, [_cell_text(c[i]) if i < len(c) else None for _, c in rows], dtype=pl.Utf8
        )
        for i, name in enumerate(names)
    }
    extra = [
        (n, pos, _cell_text(v) or "")
        for n, c in rows
        for pos, v in enumerate(c[len(names) :], start=len(names) + 1)
    ][:MAX_EXTRA_CELLS]
    return Table(
        frame=pl.DataFrame(columns) if columns else pl.DataFrame(),
        row_numbers=pl.Series("row", [n for n, _ in rows], dtype=pl.Int64),
        labels=labels,
        encoding=encoding,
        format=fmt,
        path=path,
        extra_cells=extra,
        exact=False,
    )


def _cell_text(value: Any) -> str | None:
    """A native cell (XLSX/JSON) as the text a CSV export would show."""
    import datetime as dt

    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
