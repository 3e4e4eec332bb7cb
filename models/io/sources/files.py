"""Opening a council's files safely: size limits, workbooks checked before they are unpacked,
every XML parse through defusedxml, CSV through the csv module.

An xlsx is a zip: a small file can unpack to gigabytes, so the sizes its directory declares are
added up before openpyxl sees it. XML from outside may carry an external entity or a
"billion laughs" payload; defusedxml refuses both. Each refusal is one sentence naming the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from models.io.sources.common import SourceError

#: The largest file read at all (a 903 return of a big authority is a few tens of MB).
MAX_FILE_BYTES = 200 * 1024 * 1024
#: The most an xlsx may unpack to, all its parts together.
MAX_UNPACKED_BYTES = 500 * 1024 * 1024
#: The most parts an xlsx may hold.
MAX_ZIP_MEMBERS = 10_000

_ZIP_MAGIC = b"PK\x03\x04"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE files)


def check_size(path: Path) -> int:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file.") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror}).") from None
    if size > MAX_FILE_BYTES:
        raise SourceError(
            f"{path.name}: {size / 1024 / 1024:.0f} MB is more than the {MAX_FILE_BYTES // 1024 // 1024} MB "
            "the tracker reads; split the file (by year or by list) and import the parts."
        )
    return size


def head(path: Path, n: int = 8) -> bytes:
    with path.open("rb") as fh:
        return fh.read(n)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def refuse_legacy_xls(path: Path) -> None:
    if head(path).startswith(_CFB_MAGIC):
        raise SourceError(
            f"{path.name}: a legacy Excel 97-2003 workbook (.xls), which the tracker does not read; "
            "open it in Excel and save it as an Excel Workbook (.xlsx), then import that."
        )


def check_workbook(path: Path) -> None:
    """Refuse what is not a safe xlsx before openpyxl unpacks anything."""
    check_size(path)
    refuse_legacy_xls(path)
    if not head(path).startswith(_ZIP_MAGIC):
        raise SourceError(
            f"{path.name}: not an Excel workbook (an .xlsx is a zip file, and this is not one)."
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        raise SourceError(
            f"{path.name}: a damaged Excel workbook (its zip directory cannot be read)."
        ) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise SourceError(f"{path.name}: the workbook holds {len(members)} parts, too many to be a real one.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES:
        raise SourceError(
            f"{path.name}: the workbook would unpack to {unpacked / 1024 / 1024:.0f} MB, more than the "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB the tracker allows (a zip bomb, or a workbook to split)."
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise SourceError(f"{path.name}: a zip file, but not an Excel workbook (no xl/workbook.xml inside).")


def sheet_names(path: Path) -> list[str]:
    """A workbook's sheet names, from its `xl/workbook.xml` alone (detection runs on the GUI thread;
    openpyxl would read the shared strings of the whole workbook first)."""
    check_workbook(path)
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("xl/workbook.xml")
    try:
        root = safe_et.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, safe_et.ParseError):
        raise SourceError(
            f"{path.name}: a damaged Excel workbook (its list of sheets cannot be read)."
        ) from None
    return [str(e.get("name")) for e in root.iter() if local(e.tag) == "sheet" and e.get("name")]


def open_workbook(path: Path, *, data_only: bool = True) -> Any:
    """An openpyxl workbook in read-only mode; `data_only` reads formulas' cached values."""
    import openpyxl  # imported here: only spreadsheet imports pay for it

    check_workbook(path)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SourceError(
            f"{path.name}: the workbook cannot be read ({type(exc).__name__}: {exc})."
        ) from None


_ENTITIES = (
    "{name}: the XML declares a document type or entities (an external entity or a "
    "'billion laughs' payload), which the tracker never reads; export the file again without them."
)


def parse_xml(path: Path) -> Element:
    """The root element of an XML file, parsed by defusedxml (no entities, no external references)."""
    check_size(path)
    raw = path.read_bytes()
    try:
        root: Element = safe_et.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise SourceError(_ENTITIES.format(name=path.name)) from None
    except safe_et.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise SourceError(f"{path.name}: not well-formed XML at line {line}, column {column}.") from None
    return root


def read_csv(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the rows (numbered as a spreadsheet shows them: the header is row 1) of a
    CSV file: UTF-8 with or without a byte-order mark (Windows-1252 if not UTF-8), any line ends."""
    check_size(path)
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] or raw.startswith((_ZIP_MAGIC, _CFB_MAGIC)):
        raise SourceError(f"{path.name}: not a CSV text file (it holds binary data; is it a workbook?).")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(f"{path.name}: the file is empty.") from None
    except csv.Error as exc:
        raise SourceError(f"{path.name}: not a readable CSV file ({exc}).") from None
    names = [h.replace("\ufeff", "").strip() for h in header]

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for number, row in enumerate(reader, start=2):
                if not any(cell.strip() for cell in row):
                    continue
                yield number, dict(zip(names, row, strict=False))
        except csv.Error as exc:
            raise SourceError(f"{path.name}: row {reader.line_num}: not readable CSV ({exc}).") from None

    return names, rows()


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file, read from its first 64 KiB only (detection runs on the GUI
    thread; the rows are read later, in the background)."""
    check_size(path)
    with path.open("rb") as fh:
        raw = fh.read(64 * 1024)
    if b"\x00" in raw[:4096] or raw.startswith((_ZIP_MAGIC, _CFB_MAGIC)):
        raise SourceError(f"{path.name}: not a CSV text file (it holds binary data; is it a workbook?).")
    if not raw.strip():
        raise SourceError(f"{path.name}: the file is empty.")
    text = raw.decode("utf-8-sig", errors="replace")
    first = next(csv.reader(io.StringIO(text, newline="")), [])
    return [h.replace("\ufeff", "").strip() for h in first]


_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")


def xml_root_name(path: Path) -> str:
    """The name of an XML file's root element, from its first 64 KiB (detection runs on the GUI
    thread; the file is parsed, with defusedxml, in the background). A document type or entity
    declaration is refused here already."""
    check_size(path)
    with path.open("rb") as fh:
        raw = fh.read(64 * 1024)
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise SourceError(_ENTITIES.format(name=path.name))
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", raw, flags=re.DOTALL)
    match = _FIRST_TAG.search(body)
    if match is None or body[: match.start()].strip(b" \t\r\n\xef\xbb\xbf"):
        raise SourceError(f"{path.name}: not well-formed XML (no root element at its start).")
    return match[2].decode("ascii", "replace")


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: Element, name: str) -> str | None:
    for sub in element:
        if local(sub.tag) == name:
            text = (sub.text or "").strip()
            return text or None
    return None


def children_named(element: Element, name: str) -> list[Element]:
    return [sub for sub in element if local(sub.tag) == name]
