"""Streaming JSON input shared by the FHIR and Open mHealth readers.

Files reach gigabytes, so nothing here loads a whole document: JSON arrays and Bundle entries are
parsed one item at a time with ijson's C backend, NDJSON one line at a time. A single top-level
object is the only thing read whole, and only when it is not a container of many items.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ijson

from connectors.wearables.models import WearableDataError

_PEEK_BYTES = 64 * 1024


@contextmanager
def open_binary(path: str | Path, *, zip_member_suffix: str | None = None) -> Iterator[IO[bytes]]:
    """Open a file for binary streaming; ``.gz`` is decompressed on the fly, and ``.zip`` opens the
    first member ending with ``zip_member_suffix`` (Apple exports arrive as export.zip)."""
    p = Path(path)
    if not p.exists():
        raise WearableDataError("file not found", where=str(p))
    if p.is_dir():
        raise WearableDataError("expected a file, got a directory", where=str(p))
    try:
        if p.suffix == ".gz":
            with gzip.open(p, "rb") as fh:
                yield fh
        elif p.suffix == ".zip":
            try:
                archive = zipfile.ZipFile(p)
            except zipfile.BadZipFile:
                raise WearableDataError("not a valid zip archive", where=str(p)) from None
            with archive:
                names = [n for n in archive.namelist() if zip_member_suffix and n.endswith(zip_member_suffix)]
                if not names:
                    raise WearableDataError(f"the archive has no member ending in {zip_member_suffix!r}", where=str(p))
                with archive.open(min(names, key=len)) as fh:
                    yield fh
        else:
            with open(p, "rb") as fh:
                yield fh
    except OSError as exc:
        raise WearableDataError(f"cannot read the file ({exc.strerror or exc})", where=str(p)) from None


def first_byte(fh: IO[bytes]) -> bytes:
    """The first non-whitespace byte (after a UTF-8 BOM) without consuming it."""
    head = fh.peek(_PEEK_BYTES) if hasattr(fh, "peek") else b""
    if not head:
        raise WearableDataError("the file is empty")
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped[:1]


def iter_ndjson(fh: IO[bytes], where: str) -> Iterator[tuple[str, Any]]:
    """(location, parsed value) per non-blank line; an unparsable line yields (location, error)."""
    for lineno, raw in enumerate(fh, start=1):
        line = raw.strip()
        if not line:
            continue
        loc = f"{where}:{lineno}"
        try:
            yield loc, json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            yield loc, WearableDataError(f"line is not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})")


def iter_array_items(fh: IO[bytes], prefix: str, where: str) -> Iterator[tuple[str, Any]]:
    """(location, item) for each element under ``prefix`` ("item" for a top-level array,
    "entry.item" for Bundle entries), parsed incrementally."""
    index = 0
    try:
        for index, item in enumerate(ijson.items(fh, prefix, use_float=True)):
            yield f"{where}[{index}]", item
    except ijson.JSONError as exc:
        raise WearableDataError(f"invalid JSON near item {index} ({exc})", where=where) from None


def read_whole(fh: IO[bytes], where: str) -> Any:
    try:
        return next(ijson.items(fh, "", use_float=True))
    except StopIteration:
        raise WearableDataError("the file has no JSON value", where=where) from None
    except ijson.JSONError as exc:
        raise WearableDataError(f"invalid JSON ({exc})", where=where) from None


def peek_top_level(fh: IO[bytes], stop_key: str) -> tuple[dict[str, Any], bool]:
    """Scalar members of the top-level object that come before ``stop_key`` (e.g. a Bundle's
    resourceType and type before its entries), and whether ``stop_key`` was reached. Reads at most
    about a megabyte, then rewinds so the caller can parse the stream properly."""
    found: dict[str, Any] = {}
    reached = False
    start = fh.tell()
    try:
        key: str | None = None
        for prefix, event, value in ijson.parse(fh, use_float=True):
            if prefix == "" and event == "map_key":
                if value == stop_key:
                    reached = True
                    break
                key = value
            elif prefix == key and key is not None and event in ("string", "number", "boolean", "null"):
                found[key] = value
            if fh.tell() - start > _PEEK_BYTES * 16:
                break
    except ijson.JSONError:
        pass  # the real parse reports the error with its position
    fh.seek(start)
    return found, reached
