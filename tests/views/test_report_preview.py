"""The report dialog and preview: QtPdf preview, Print to a PDF printer and Save, prompts mocked.

The print dialog is replaced by a function that points the `QPrinter` at a PDF file and accepts,
so the printed pages can be read back with pypdf; the save dialog returns a path under tmp_path.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from models.domain.period import Period
from models.io.journey_io import import_journey
from models.reports.common import ReportError
from models.reports.registry import build_report, make_request, page_count, save_report
from models.storage.db import Database, open_database
from models.storage.store import AUDIT_T
from views import prompts, report_dialog
from views.report_dialog import ALL_OFFICERS, ReportDialog, open_reports
from views.report_preview import ReportPreview

AS_OF = date(2025, 9, 1)


@pytest.fixture
def example_db(db: Database, examples: Path) -> Database:
    import_journey(db, json.loads((examples / "journey.json").read_text()))
    return db


def audit_rows(db: Database, action: str) -> list[dict[str, Any]]:
    with db.engine.connect() as conn:
        rows = conn.execute(AUDIT_T.select().where(AUDIT_T.c.action == action)).mappings().all()
    return [dict(r) for r in rows]


@pytest.fixture
def preview(qtbot: QtBot, example_db: Database) -> ReportPreview:
    request = make_request("court", AS_OF, Period(2025, 8))
    widget = ReportPreview(build_report(example_db, request), request, example_db)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def pack_preview(qtbot: QtBot, example_db: Database) -> ReportPreview:
    request = make_request("pack", AS_OF, Period(2025, 8))
    widget = ReportPreview(build_report(example_db, request), request, example_db)
    qtbot.addWidget(widget)
    return widget


def print_to(path: Path, first: int = 0, last: int = 0) -> Any:
    """A stand-in for the print dialog: a PDF printer writing to `path`, accepted."""
    calls: list[int] = []

    def ask_print(parent: object, printer: QPrinter, pages: int) -> bool:
        calls.append(pages)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        if first:
            printer.setFromTo(first, last)
        return True

    ask_print.calls = calls  # type: ignore[attr-defined]
    return ask_print


# --- Preview ----------------------------------------------------------------------------------


def test_the_preview_shows_the_pdf(qtbot: QtBot, pack_preview: ReportPreview) -> None:
    pack_preview.show()
    qtbot.waitExposed(pack_preview)
    assert pack_preview.document.status() is QPdfDocument.Status.Ready
    assert pack_preview.page_count() == page_count(pack_preview.pdf) == 9
    assert pack_preview.view.document() is pack_preview.document
    assert pack_preview.pages_label.text() == "9 pages"
    assert pack_preview.windowTitle() == "Monthly pack: August 2025, as of 01/09/2025"
    # QtPdf draws the page: some of a sample of its pixels are dark (text), the page is landscape.
    image = pack_preview.document.render(0, QSize(842, 595))
    dark = sum(
        1 for x in range(0, 842, 7) for y in range(0, 595, 7) if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 20


# --- Print ------------------------------------------------------------------------------------


def test_print_renders_every_page_onto_the_printer(
    qtbot: QtBot,
    pack_preview: ReportPreview,
    example_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "printed.pdf"
    ask = print_to(out)
    monkeypatch.setattr(prompts, "ask_print", ask)
    with qtbot.waitSignal(pack_preview.printed) as signal:
        QTest.mouseClick(pack_preview.print_button, Qt.MouseButton.LeftButton)
    assert ask.calls == [9]
    assert signal.args == [9]
    printed = PdfReader(out)
    assert len(printed.pages) == 9
    for page in printed.pages:
        assert page.mediabox.width > page.mediabox.height  # landscape, as the report
        assert round(float(page.mediabox.width)) in (841, 842)
    rows = audit_rows(example_db, "print")
    assert len(rows) == 1
    after = json.loads(rows[0]["after"])
    assert after["report"] == "pack" and after["pages"] == 9 and after["as_of"] == "2025-09-01"


def test_print_keeps_the_page_aspect_ratio(
    pack_preview: ReportPreview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtGui import QImage, QPainter

    drawn: list[tuple[float, float]] = []
    original = QPainter.drawImage

    def spy(self: QPainter, *args: Any) -> None:
        target, image = args[0], args[1]
        if isinstance(image, QImage):
            drawn.append((target.width() / target.height(), image.width() / image.height()))
        original(self, *args)

    monkeypatch.setattr(QPainter, "drawImage", spy)
    monkeypatch.setattr(prompts, "ask_print", print_to(tmp_path / "p.pdf"))
    assert pack_preview.print_report()
    assert len(drawn) == 9
    for target_ratio, image_ratio in drawn:
        assert target_ratio == pytest.approx(image_ratio, rel=0.01)
        assert target_ratio == pytest.approx(297 / 210, rel=0.01)


def test_print_a_page_range(
    pack_preview: ReportPreview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "two.pdf"
    monkeypatch.setattr(prompts, "ask_print", print_to(out, 2, 3))
    assert pack_preview.print_report()
    assert len(PdfReader(out).pages) == 2


def test_cancelled_print_prints_nothing(
    preview: ReportPreview, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "ask_print", lambda *args: False)
    assert preview.print_report() is False
    assert audit_rows(example_db, "print") == []


def test_a_portrait_report_prints_portrait(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = make_request("chronology", AS_OF, child_id="EX-002")
    widget = ReportPreview(build_report(example_db, request), request, example_db)
    qtbot.addWidget(widget)
    out = tmp_path / "chronology.pdf"
    monkeypatch.setattr(prompts, "ask_print", print_to(out))
    assert widget.print_report()
    page = PdfReader(out).pages[0]
    assert page.mediabox.width < page.mediabox.height


# --- Save -------------------------------------------------------------------------------------


def test_save_writes_the_previewed_bytes(
    qtbot: QtBot,
    preview: ReportPreview,
    example_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suggested: list[Path] = []
    target = tmp_path / "court.pdf"

    def ask_save_pdf(parent: object, path: Path, title: str = "") -> Path:
        suggested.append(path)
        return target

    monkeypatch.setattr(prompts, "ask_save_pdf", ask_save_pdf)
    with qtbot.waitSignal(preview.saved) as signal:
        QTest.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert signal.args == [str(target)]
    assert suggested[0].name == "court-report-2025-08-asof-2025-09-01.pdf"
    assert target.read_bytes() == preview.pdf
    assert "XY25C00012" in PdfReader(io.BytesIO(target.read_bytes())).pages[0].extract_text()
    assert len(audit_rows(example_db, "export-report")) == 1


def test_cancelled_save_writes_nothing(
    preview: ReportPreview, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "ask_save_pdf", lambda *args, **kw: None)
    assert preview.save_pdf() is None
    assert audit_rows(example_db, "export-report") == []


def test_read_only_previews_and_prints_but_refuses_a_save_before_any_file(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert example_db.path is not None
    example_db.dispose()
    read_only = open_database(example_db.path, read_only=True)
    request = make_request("court", AS_OF, Period(2025, 8))
    preview = ReportPreview(build_report(read_only, request), request, read_only)  # previewed
    qtbot.addWidget(preview)
    out = tmp_path / "printed.pdf"
    monkeypatch.setattr(prompts, "ask_print", print_to(out))
    assert preview.print_report()  # printed, nothing written to the database
    assert len(PdfReader(out).pages) == preview.page_count()
    said: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: said.append(text))
    monkeypatch.setattr(prompts, "ask_save_pdf", lambda *args, **kw: pytest.fail("asked where to save"))
    assert preview.save_pdf() is None
    assert len(said) == 1 and said[0].count(".") == 1 and "read-only" in said[0]
    with pytest.raises(ReportError, match="read-only"):  # the model refuses it too, before writing
        save_report(read_only, request, preview.pdf, tmp_path / "court.pdf")
    assert not (tmp_path / "court.pdf").exists()
    assert audit_rows(read_only, "print") == [] and audit_rows(read_only, "export-report") == []
    read_only.dispose()


# --- The dialog -------------------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot: QtBot) -> ReportDialog:
    widget = ReportDialog(
        ["P. Jones", "R. Singh"], [("EX-001", "Ava Example"), ("EX-002", "Ben Example")], AS_OF
    )
    qtbot.addWidget(widget)
    return widget


def test_the_dialog_starts_on_last_month(dialog: ReportDialog) -> None:
    assert dialog.report_name() == "tracker"
    assert dialog.period() == Period(2025, 8)
    assert dialog.officer_combo.currentText() == ALL_OFFICERS
    assert dialog.officer_combo.isEnabled() and not dialog.child_combo.isEnabled()
    request = dialog.request()
    assert request is not None
    assert (request.name, request.period, request.as_of, request.officer) == (
        "tracker",
        Period(2025, 8),
        AS_OF,
        None,
    )


def test_the_dialog_for_one_officer(dialog: ReportDialog) -> None:
    dialog.officer_combo.setCurrentText("R. Singh")
    dialog.month_combo.setCurrentIndex(dialog.month_combo.findText("July 2025"))
    request = dialog.request()
    assert request is not None and request.officer == "R. Singh" and request.period == Period(2025, 7)


def test_a_chronology_needs_a_child(qtbot: QtBot, dialog: ReportDialog) -> None:
    dialog.report_combo.setCurrentIndex(dialog.report_combo.findData("chronology"))
    assert dialog.child_combo.isEnabled() and not dialog.officer_combo.isEnabled()
    dialog.accept()
    assert dialog.result() != ReportDialog.DialogCode.Accepted
    assert "give the child's id" in dialog.error_label.text()
    assert "--child" not in dialog.error_label.text()
    dialog.child_combo.setCurrentIndex(dialog.child_combo.findData("EX-002"))
    request = dialog.request()
    assert request is not None and request.child_id == "EX-002"
    dialog.child_combo.setEditText("EX-001")
    request = dialog.request()
    assert request is not None and request.child_id == "EX-001"


def test_a_new_as_of_date_moves_the_months(qtbot: QtBot, dialog: ReportDialog) -> None:
    dialog.as_of_edit.set_value(date(2025, 12, 3))
    assert dialog.month_combo.itemText(0) == "December 2025"
    assert dialog.period() == Period(2025, 8)  # the choice is kept
    dialog.as_of_edit.line_edit.setText("31/02/2025")
    assert dialog.request() is None and dialog.error_label.isVisibleTo(dialog)


def test_a_month_after_the_as_of_date_is_refused(dialog: ReportDialog) -> None:
    dialog.as_of_edit.set_value(date(2025, 9, 1))
    dialog.month_combo.setCurrentIndex(0)  # September 2025 has begun: allowed
    assert dialog.request() is not None


# --- open_reports: the main window's entry point ----------------------------------------------


def test_open_reports_previews_the_chosen_report(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[dict[str, Any]] = []

    def ask(parent: object, db: Database, as_of: date, **kw: Any) -> Any:
        asked.append({"as_of": as_of, **kw})
        return make_request("drp", date(2025, 8, 1), Period(2025, 7))

    monkeypatch.setattr(ReportDialog, "ask", ask)
    preview = open_reports(None, example_db, AS_OF, child_id="EX-003")
    assert preview is not None
    qtbot.addWidget(preview)
    assert asked == [{"as_of": AS_OF, "name": "tracker", "child_id": "EX-003", "run": report_dialog._here}]
    assert preview.isVisible()
    assert "DRP-25-014" in " ".join(PdfReader(io.BytesIO(preview.pdf)).pages[0].extract_text().split())


def test_open_reports_cancelled(example_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ReportDialog, "ask", lambda *args, **kw: None)
    assert open_reports(None, example_db, AS_OF) is None


def test_a_report_that_cannot_be_made_says_why(example_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    errors: list[str] = []
    monkeypatch.setattr(
        ReportDialog, "ask", lambda *args, **kw: make_request("chronology", AS_OF, child_id="NOPE")
    )
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: errors.append(text))
    assert open_reports(None, example_db, AS_OF) is None
    assert errors == ["There is no child with the id 'NOPE'."]


def test_ask_offers_the_database_officers_and_children(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[ReportDialog] = []

    def exec_(self: ReportDialog) -> int:
        seen.append(self)
        self.report_combo.setCurrentIndex(self.report_combo.findData("chronology"))
        self.accept()
        return int(self.result())

    monkeypatch.setattr(report_dialog.ReportDialog, "exec", exec_)
    request = ReportDialog.ask(None, example_db, AS_OF, child_id="EX-002")
    assert request is not None and request.child_id == "EX-002" and request.name == "chronology"
    dialog = seen[0]
    qtbot.addWidget(dialog)
    assert [dialog.officer_combo.itemText(i) for i in range(dialog.officer_combo.count())] == [
        ALL_OFFICERS,
        "P. Jones",
        "R. Singh",
    ]
    assert dialog.child_combo.count() == 3


def test_the_preview_fits_a_laptop_screen_with_its_buttons(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    class LaptopScreen:  # the edge: the offscreen platform has one 800 x 800 screen
        def availableGeometry(self) -> QRect:
            return QRect(0, 0, 1366, 728)

    monkeypatch.setattr(ReportPreview, "screen", lambda self: LaptopScreen())
    pdf = build_report(example_db, make_request("drp", AS_OF, Period(2025, 8)))
    preview = ReportPreview(pdf, make_request("drp", AS_OF, Period(2025, 8)), example_db)
    qtbot.addWidget(preview)
    # It was a fixed 1100 x 800: taller than the screen, so Print / Save / Close were off it.
    assert preview.width() <= 1366 - 16 and preview.height() <= 728 - 48
    assert preview.y() + preview.height() + 48 <= 728


def _officers_dialog(qtbot: QtBot, db: Database, run: Any) -> ReportDialog:
    dialog = ReportDialog(["P. Jones", "R. Singh"], [], AS_OF, run=run)
    dialog._db = db
    qtbot.addWidget(dialog)
    return dialog


def test_one_file_per_officer_is_made_through_the_runner(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The officers' files are made where the window's runner puts the work (off the GUI thread,
    with Cancel), then written and audited, one per officer."""
    labels: list[str] = []

    def run(parent: object, label: str, fn: Any) -> Any:
        labels.append(label)
        return fn()

    monkeypatch.setattr(prompts, "ask_folder", lambda *a, **k: tmp_path / "sheets")
    monkeypatch.setattr(prompts, "show_info", lambda *a, **k: None)
    dialog = _officers_dialog(qtbot, example_db, run)
    dialog.per_officer_button.click()
    assert labels == ["Making the officers' tracker sheets…"]
    written = sorted(p.name for p in (tmp_path / "sheets").iterdir())
    assert len(written) == 2 and all(name.endswith(".pdf") for name in written)
    assert len(audit_rows(example_db, "export-report")) == 2


def test_cancelling_the_officers_files_writes_nothing(
    qtbot: QtBot, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(prompts, "ask_folder", lambda *a, **k: tmp_path / "sheets")
    monkeypatch.setattr(prompts, "show_info", lambda *a, **k: pytest.fail("nothing was written"))
    dialog = _officers_dialog(qtbot, example_db, lambda parent, label, fn: None)
    dialog.per_officer_button.click()
    assert not (tmp_path / "sheets").exists()
