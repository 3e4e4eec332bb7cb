"""SSDA903 (the children looked after return): header, episodes and reviews, as CSV tables or XML.

Mapping to journey events (ids `903:<CHILD>:<type>:<date>`, so next year's return updates them):

| 903 | journey |
|---|---|
| header `CHILD`, `SEX` (1 male, 2 female), `DOB`, `ETHNIC` | child `id`, `gender`, `date_of_birth`, `ethnicity` |
| the first episode of a child, and an episode that follows one ceased with a reason other than `X1` (or `RNE` = `S`) | `became_looked_after` on `DECOM`, `legal_status` = `LS` |
| a later episode of the same period whose `LS` differs from the one before | `legal_status_changed` on `DECOM` |
| an episode ended (`DEC`) with `REC` other than `X1` | `ceased_looked_after` on `DEC`, `reason` = `REC` |
| reviews `REVIEW` (XML: `AREVIEW/REVIEW`) | `cla_review` |

The other 903 tables (UASC, OC2, OC3, AD1, missing, placed for adoption, previous permanence,
social worker episodes, DoLo) are recognised and read for nothing: no clock of the tracker reads
them. XML (`<EXPSSDA903>`) uses `CHILDID` and `PL` where CSV uses `CHILD` and `PLACE`.

A return holds no visits, no permanence plans and nothing of child protection, PLO or court, so
every other event type is `untracked`. `tracked_from` is the collection end: 31 March of the
year in the file names (`2017-episodes.csv`, `SSDA903_2020_header.csv`), otherwise the 31 March
that ends the collection year of the latest episode date (`DECOM`, `DEC`; with no episodes, the
latest `REVIEW`); the person may change it (`--tracked-from`).
A first episode whose `RNE` is not `S` began before the return's records: its period of care is
taken to start on that `DECOM` (the 903 holds no earlier date), and `tracked_from` keeps the
clocks it cannot show from being flagged. Dates are `dd/mm/yyyy` (ISO `yyyy-mm-dd` also read).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from models.io.sources.common import (
    Builder,
    Problem,
    Source,
    SourceError,
    Where,
    code,
    collection_end,
    gender,
    parse_birth,
    parse_day,
    text_id,
    untracked_except,
)
from models.io.sources.files import child_text, children_named, local, parse_xml, read_csv, sha256_of

FORMAT = "ssda903"
HELD = ("became_looked_after", "legal_status_changed", "ceased_looked_after", "cla_review")

#: The 903 tables by the columns that tell them apart (a CSV is recognised by its header).
TABLES: dict[str, frozenset[str]] = {
    "header": frozenset({"CHILD", "SEX", "DOB", "ETHNIC"}),
    "episodes": frozenset({"CHILD", "DECOM", "RNE", "LS"}),
    "reviews": frozenset({"CHILD", "REVIEW", "REVIEW_CODE"}),
    "uasc": frozenset({"CHILD", "DUC"}),
    "missing": frozenset({"CHILD", "MIS_START"}),
    "oc2": frozenset({"CHILD", "SDQ_SCORE"}),
    "oc3": frozenset({"CHILD", "IN_TOUCH"}),
    "ad1": frozenset({"CHILD", "DATE_INT"}),
    "placed_for_adoption": frozenset({"CHILD", "DATE_PLACED"}),
    "previous_permanence": frozenset({"CHILD", "PREV_PERM"}),
    "sw_episodes": frozenset({"CHILD", "SW_ID"}),
    "dolo": frozenset({"CHILD", "DOLO_START"}),
}
READ_TABLES = ("header", "episodes", "reviews")

_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def table_of(columns: Iterable[str]) -> str | None:
    """Which 903 table a CSV header is, or None."""
    names = {c.strip().upper() for c in columns}
    for table, needed in TABLES.items():
        if needed <= names:
            return table
    return None


def year_of(path: Path) -> int | None:
    match = _YEAR.search(path.name)
    return int(match[1]) if match else None


class _Episode:
    __slots__ = ("child", "dec", "decom", "ls", "rec", "rne", "where")

    def __init__(self, child: str, decom: date, rne: str | None, ls: str | None, where: Where):
        self.child, self.decom, self.rne, self.ls, self.where = child, decom, rne, ls, where
        self.dec: date | None = None
        self.rec: str | None = None


def read_csv_tables(paths: Sequence[Path], label: str | None = None) -> Source:
    """One 903 return from its CSV tables (any subset; header, episodes and reviews are read)."""
    first = paths[0]
    source = Source(first.parent if len(paths) > 1 else first, FORMAT, label or "SSDA903 (CSV)")
    builder = Builder(source, "903")
    episodes: list[_Episode] = []
    latest: date | None = None
    latest_review: date | None = None
    ignored: list[str] = []
    digests = []
    for path in paths:
        columns, rows = read_csv(path)
        digests.append(sha256_of(path))
        table = table_of(columns)
        if table is None:
            raise SourceError(
                f"{path.name}: the header ({', '.join(columns[:8])}) is not one of the SSDA903 tables "
                "(header, episodes, reviews, ...); for a spreadsheet of your own, import it with a mapping."
            )
        if table not in READ_TABLES:
            ignored.append(f"{path.name} ({table})")
            continue
        for number, row in rows:
            row = {k.strip().upper(): v for k, v in row.items() if k}
            here = Where(path.name, row=number)
            child_id = text_id(row.get("CHILD"))
            if child_id is None:
                source.problems.append(
                    Problem(Where(path.name, row=number, column="CHILD"), "the child id is missing")
                )
                continue
            if table == "header":
                dob = _birth(source, row.get("DOB"), Where(path.name, row=number, column="DOB"), child_id)
                builder.child(
                    child_id,
                    here,
                    date_of_birth=dob,
                    gender=gender(row.get("SEX")),
                    ethnicity=code(row.get("ETHNIC")),
                )
            elif table == "episodes":
                builder.child(child_id, here)
                decom = _day(source, row.get("DECOM"), Where(path.name, row=number, column="DECOM"), child_id)
                if decom is None:
                    if not (row.get("DECOM") or "").strip():
                        source.problems.append(
                            Problem(
                                Where(path.name, row=number, column="DECOM"),
                                "the episode has no start date",
                                child_id,
                            )
                        )
                    continue
                episode = _Episode(child_id, decom, code(row.get("RNE")), code(row.get("LS")), here)
                episode.dec = _day(
                    source, row.get("DEC"), Where(path.name, row=number, column="DEC"), child_id
                )
                episode.rec = code(row.get("REC"))
                episodes.append(episode)
                latest = max(d for d in (latest, decom, episode.dec) if d is not None)
            else:
                dob = _birth(source, row.get("DOB"), Where(path.name, row=number, column="DOB"), child_id)
                builder.child(child_id, here, date_of_birth=dob)
                review = _day(
                    source, row.get("REVIEW"), Where(path.name, row=number, column="REVIEW"), child_id
                )
                if review is not None:
                    builder.event(
                        child_id, "cla_review", review, Where(path.name, row=number, column="REVIEW")
                    )
                    latest_review = max(d for d in (latest_review, review) if d is not None)
    _episode_events(builder, episodes)
    builder.finish()
    if ignored:
        source.notes.append("Recognised, nothing the tracker keeps: " + ", ".join(ignored) + ".")
    years = [y for y in (year_of(p) for p in paths) if y]
    _set_tracked_from(source, max(years) if years else None, latest or latest_review)
    source.sha256 = ",".join(digests)
    return source


def read_xml(path: Path) -> Source:
    """One 903 return as XML (`<EXPSSDA903>`: `<CHILD><HEADER>...<EPISODE>...`)."""
    root = parse_xml(path)
    if local(root.tag) != "EXPSSDA903":
        raise SourceError(
            f"{path.name}: not an SSDA903 XML file (its root is <{local(root.tag)}>, not <EXPSSDA903>)."
        )
    source = Source(path, FORMAT, "SSDA903 (XML)", sha256=sha256_of(path))
    builder = Builder(source, "903")
    episodes: list[_Episode] = []
    latest: date | None = None
    for n, child in enumerate(children_named(root, "CHILD"), start=1):
        header = (children_named(child, "HEADER") or [child])[0]
        here = Where(path.name, row=f"<CHILD> {n}")
        child_id = text_id(child_text(header, "CHILDID") or child_text(header, "CHILD"))
        if child_id is None:
            source.problems.append(
                Problem(Where(path.name, row=f"<CHILD> {n}", column="CHILDID"), "the child id is missing")
            )
            continue
        dob = _birth(
            source, child_text(header, "DOB"), Where(path.name, row=f"<CHILD> {n}", column="DOB"), child_id
        )
        builder.child(
            child_id,
            here,
            date_of_birth=dob,
            gender=gender(child_text(header, "SEX")),
            ethnicity=code(child_text(header, "ETHNIC")),
        )
        for r, review in enumerate(
            children_named(header, "AREVIEW") + children_named(child, "AREVIEW"), start=1
        ):
            at = Where(path.name, row=f"<CHILD> {n} <AREVIEW> {r}", column="REVIEW")
            day = _day(source, child_text(review, "REVIEW"), at, child_id)
            if day is not None:
                builder.event(child_id, "cla_review", day, at)
        for e, element in enumerate(children_named(child, "EPISODE"), start=1):
            at = Where(path.name, row=f"<CHILD> {n} <EPISODE> {e}")
            decom = _day(
                source, child_text(element, "DECOM"), Where(at.file, row=at.row, column="DECOM"), child_id
            )
            if decom is None:
                continue
            episode = _Episode(
                child_id, decom, code(child_text(element, "RNE")), code(child_text(element, "LS")), at
            )
            episode.dec = _day(
                source, child_text(element, "DEC"), Where(at.file, row=at.row, column="DEC"), child_id
            )
            episode.rec = code(child_text(element, "REC"))
            episodes.append(episode)
            latest = max(d for d in (latest, decom, episode.dec) if d is not None)
    _episode_events(builder, episodes)
    builder.finish()
    _set_tracked_from(source, year_of(path), latest)
    return source


def _episode_events(builder: Builder, episodes: list[_Episode]) -> None:
    by_child: dict[str, list[_Episode]] = {}
    for episode in episodes:
        by_child.setdefault(episode.child, []).append(episode)
    for child_id, items in by_child.items():
        items.sort(key=lambda e: e.decom)
        in_care = False
        status: str | None = None
        for episode in items:
            if not in_care or episode.rne == "S":
                builder.event(
                    child_id, "became_looked_after", episode.decom, episode.where, legal_status=episode.ls
                )
                in_care = True
            elif episode.ls and episode.ls != status:
                builder.event(
                    child_id, "legal_status_changed", episode.decom, episode.where, legal_status=episode.ls
                )
            status = episode.ls
            if episode.dec is not None and episode.rec and episode.rec != "X1":
                builder.event(child_id, "ceased_looked_after", episode.dec, episode.where, reason=episode.rec)
                in_care = False


def _set_tracked_from(source: Source, year: int | None, latest: date | None) -> None:
    source.untracked = untracked_except(*HELD)
    if year is not None:
        source.tracked_from = date(year, 3, 31)
        source.tracked_from_basis = (
            f"the collection end of the {year - 1}-{year % 100:02d} return (the year in the file name)"
        )
    elif latest is not None:
        source.tracked_from = collection_end(latest)
        source.tracked_from_basis = f"the collection end of the year of the latest episode date, or review date with no episodes ({latest:%d/%m/%Y})"


def _day(source: Source, value: Any, where: Where, child_id: str) -> date | None:
    day, reason = parse_day(value)
    if reason:
        source.problems.append(Problem(where, reason, child_id))
    return day


def _birth(source: Source, value: Any, where: Where, child_id: str) -> date | None:
    day, reason = parse_birth(value)
    if reason:
        source.problems.append(Problem(where, reason, child_id))
    return day
