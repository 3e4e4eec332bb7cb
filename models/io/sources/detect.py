"""Which reader a file or folder needs, from what it holds (not only its name).

A folder is read file by file: SSDA903 CSV tables are grouped into one return per year in their
names; workbooks, XML and journey files are sources of their own; other files (`.md`, `.txt`)
are passed over and listed. A file whose content is not what its name says is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.io.sources import annex_a, cin_census, mapped, ssda903
from models.io.sources.common import Source, SourceError
from models.io.sources.files import check_size, check_workbook, csv_header, refuse_legacy_xls, xml_root_name

JOURNEY = "journey"
ANNEX_A = "annex_a"
SSDA903_CSV = "ssda903_csv"
SSDA903_XML = "ssda903_xml"
CIN_CENSUS = "cin_census"
MAPPED = "mapped"

LABELS = {
    JOURNEY: "journey file",
    ANNEX_A: "Ofsted Annex A workbook",
    SSDA903_CSV: "SSDA903 return (CSV tables)",
    SSDA903_XML: "SSDA903 return (XML)",
    CIN_CENSUS: "CIN census (XML)",
    MAPPED: "spreadsheet (needs a mapping)",
}
_DATA_SUFFIXES = {".csv", ".xlsx", ".xlsm", ".xls", ".xml", ".json"}


@dataclass
class Detected:
    format: str
    paths: list[Path]
    note: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.format]

    @property
    def name(self) -> str:
        if len(self.paths) == 1:
            return str(self.paths[0])
        return f"{self.paths[0].parent} ({', '.join(p.name for p in self.paths)})"


@dataclass
class Detection:
    found: list[Detected] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    passed_over: list[Path] = field(default_factory=list)


def detect(paths: Sequence[Path]) -> Detection:
    """The sources in these files and folders. SSDA903 tables of one folder and one year (in their
    names) are one return, whether the folder or the files were given."""
    out = Detection()
    returns: dict[tuple[Path, int | None], list[Path]] = {}
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            named = False
        else:
            files, named = [path], True
        for file in files:
            if not named and file.suffix.lower() not in _DATA_SUFFIXES:
                out.passed_over.append(file)
                continue
            try:
                found = detect_file(file)
            except SourceError as exc:
                out.refused.append(str(exc))
                continue
            if found.format == SSDA903_CSV:
                group = returns.setdefault((file.parent.resolve(), ssda903.year_of(file)), [])
                if file not in group:
                    group.append(file)
            else:
                out.found.append(found)
    for key in sorted(returns, key=lambda k: (str(k[0]), k[1] is None, k[1] or 0)):
        out.found.append(Detected(SSDA903_CSV, returns[key]))
    return out


def detect_file(path: Path) -> Detected:
    """The format of one file, or a SourceError saying why it cannot be read."""
    check_size(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        return Detected(JOURNEY, [path])
    if suffix == ".xls":
        refuse_legacy_xls(path)
        raise SourceError(
            f"{path.name}: named .xls but not a legacy Excel workbook; save it as .xlsx and import that."
        )
    if suffix in (".xlsx", ".xlsm"):
        check_workbook(path)
        return Detected(ANNEX_A if annex_a.looks_like(path) else MAPPED, [path])
    if suffix == ".xml":
        root = xml_root_name(path)
        if root == "EXPSSDA903":
            return Detected(SSDA903_XML, [path])
        if root == "Message":
            return Detected(CIN_CENSUS, [path])
        raise SourceError(
            f"{path.name}: an XML file the tracker does not read (root <{root}>; it reads SSDA903 "
            "<EXPSSDA903> and CIN census <Message>)."
        )
    if suffix == ".csv":
        columns = csv_header(path)
        if ssda903.table_of(columns):
            return Detected(SSDA903_CSV, [path])
        return Detected(MAPPED, [path])
    refuse_legacy_xls(path)
    raise SourceError(
        f"{path.name}: the tracker reads .json, .xlsx, .csv and .xml files (a folder of SSDA903 tables too), not {suffix or 'a file with no extension'}."
    )


def read(found: Detected, mapping: tuple[str, Mapping[str, Any]] | None = None) -> Source:
    """Read one detected source (a journey file is read by `models.io.sources.merge`)."""
    if found.format == ANNEX_A:
        return annex_a.read(found.paths[0])
    if found.format == SSDA903_CSV:
        return ssda903.read_csv_tables(found.paths)
    if found.format == SSDA903_XML:
        return ssda903.read_xml(found.paths[0])
    if found.format == CIN_CENSUS:
        return cin_census.read(found.paths[0])
    if found.format == MAPPED:
        if mapping is None:
            what = "CSV" if found.paths[0].suffix.lower() == ".csv" else "workbook"
            raise SourceError(
                f"{found.paths[0].name}: a {what} whose headers are not an SSDA903 table or Annex A list; "
                "import it with --mapping NAME (a column mapping saved with: mapping save NAME --file FILE.json)."
            )
        return mapped.read(found.paths[0], mapping[0], mapping[1])
    raise SourceError(f"{found.name}: {found.label} is not read here.")
