"""The board report from the report dialog: a quarter chosen, the PIRO's commentary written in the
app (kept per period, audited) and printed."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from models.domain.period import Period, PeriodKind
from models.reports.registry import build_report
from models.storage.db import Database
from models.storage.store import COMMENTARY_LIMIT, read_commentary, save_commentary
from views.commentary_dialog import CommentaryDialog
from views.report_dialog import ReportDialog

AS_OF = date(2025, 10, 6)


def test_a_quarter_for_the_board_report(qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    dialog = ReportDialog([], [], AS_OF)
    dialog._db = db
    qtbot.addWidget(dialog)
    dialog.report_combo.setCurrentIndex(dialog.report_combo.findData("board"))
    assert dialog.commentary_button.isVisibleTo(dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(PeriodKind.QUARTER))
    assert dialog.period() == Period.parse("2025-Q3")
    assert dialog.month_combo.itemText(0) == "October to December 2025 (Q4)"
    asked: list[Period] = []
    monkeypatch.setattr(CommentaryDialog, "ask", lambda parent, db, period: asked.append(period) or True)
    dialog.commentary_button.click()
    assert asked == [Period.parse("2025-Q3")]
    request = dialog.request()
    assert request is not None and (request.name, request.period.key) == ("board", "2025-Q3")
    dialog.report_combo.setCurrentIndex(dialog.report_combo.findData("tracker"))
    assert not dialog.commentary_button.isVisibleTo(dialog)
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData(PeriodKind.YEAR))
    assert dialog.period() == Period.parse("2024-25")


def test_commentary_written_in_the_dialog_is_kept_audited_and_printed(qtbot: QtBot, db: Database) -> None:
    q3 = Period.parse("2025-Q3")
    save_commentary(db, q3.key, "First thoughts.")
    dialog = CommentaryDialog(db, q3)
    qtbot.addWidget(dialog)
    assert dialog.editor.toPlainText() == "First thoughts."
    dialog.editor.selectAll()
    qtbot.keyClicks(dialog.editor, "Fewer children waited for a plan this quarter.")
    dialog.accept()
    assert dialog.result() == CommentaryDialog.DialogCode.Accepted
    assert read_commentary(db, q3.key) == "Fewer children waited for a plan this quarter."
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT before, after FROM audit WHERE entity = 'commentary'").all()
    assert len(rows) == 2 and "First thoughts." in rows[-1][0]
    from models.reports.registry import make_request

    pdf = build_report(db, make_request("board", AS_OF, q3))
    first = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Fewer children waited for a plan this quarter." in first


def test_a_commentary_too_long_is_refused_in_the_dialog(qtbot: QtBot, db: Database) -> None:
    dialog = CommentaryDialog(db, Period.parse("2025-Q3"))
    qtbot.addWidget(dialog)
    dialog.editor.setPlainText("x" * (COMMENTARY_LIMIT + 1))
    dialog.accept()
    assert dialog.result() != CommentaryDialog.DialogCode.Accepted
    assert "keep it within" in dialog.error_label.text()
    assert read_commentary(db, "2025-Q3") == ""
