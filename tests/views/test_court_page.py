"""The court page, driven as the court team drives it, against a real database."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFontMetrics, QUndoStack
from PySide6.QtWidgets import QDialog, QHeaderView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktop.work import run_in_background, wait_for_background
from models.domain.records import EventRecord
from models.screens.court_view import HearingMark, build_court_view
from models.storage import store
from models.storage.db import Database, open_database
from views import prompts
from views.court_models import CourtModel
from views.court_page import CourtPage
from views.date_edit import DateEdit
from views.event_dialog import EventDialog
from views.row_model import ID_ROLE
from views.week_ruler import (
    HEARING_MARKS,
    ROW_HEIGHT,
    RulerGeometry,
    RulerLegend,
    _small_font,
    scale_labels,
    shown_hearings,
    tooltip_at,
)

SEPTEMBER = date(2025, 9, 1)
MARCH = date(2025, 3, 3)


def _page(qtbot: QtBot, db: Database, as_of: date = SEPTEMBER, stack: QUndoStack | None = None) -> CourtPage:
    stack = stack or QUndoStack()
    page = CourtPage(db, stack, as_of)
    page._test_stack = stack  # type: ignore[attr-defined]  # keep the stack alive with the page
    qtbot.addWidget(page)
    page.resize(1400, 700)
    with qtbot.waitSignal(page.view_ready, timeout=5000):
        page.show()
    return page


def _shown(page: CourtPage, child_id: str) -> dict[str, str]:
    model = page.model
    row = model.find(lambda r: r.child_id == child_id)
    assert row >= 0, child_id
    return {
        str(model.headerData(c, Qt.Orientation.Horizontal)): str(model.index(row, c).data())
        for c in range(model.columnCount())
    }


def test_lists_ex002_at_september_with_week_31_and_the_extended_end(
    qtbot: QtBot, example_db: Database
) -> None:
    page = _page(qtbot, example_db)
    assert page.model.ids() == ["EX-002"]
    shown = _shown(page, "EX-002")
    assert shown["Case number"] == "XY25C00012\nTelford"
    assert shown["Issued"] == "03/02/2025"
    assert shown["Week"] == "31 of 26"
    assert shown["Projected end"] == "26/09/2025\nextended, week 34"
    assert shown["Time left"] == "3.6 weeks left"
    assert shown["RAG"] == "Amber – due in 25 days"
    assert shown["Child"] == "Ben Example\nEX-002 · family F-EX2"
    index = page.model.index(0, CourtModel.RULER)
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "Week 31 of 26" in tip
    assert "Extended on 28/07/2025 from 03/08/2025 to 26/09/2025 (+7.7 weeks): timetable for the child" in tip
    assert "14/02/2025 Case management hearing (CMH), week 2, held" in tip
    status = page.model.index(0, CourtModel.STATUS)
    assert status.data(Qt.ItemDataRole.BackgroundRole) is not None  # coloured, and the word says it
    assert "Final order due by 26/09/2025" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert "1 open proceedings" in page.summary_label.text()
    assert page.tabs.tabText(0) == "Open proceedings (1)"


def test_at_march_week_5_and_the_26_week_end(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, MARCH)
    shown = _shown(page, "EX-002")
    assert shown["Week"] == "5 of 26"
    assert shown["Projected end"] == "03/08/2025\nweek 26"
    assert shown["RAG"] == "Green – due in 153 days"
    page.set_as_of(SEPTEMBER)  # shown: rebuilt at once
    assert _shown(page, "EX-002")["Week"] == "31 of 26"


def _fill_extension(dialog: EventDialog, granted: str, until: str) -> None:
    dialog.date_edit.line_edit.setText(granted)
    editor = dialog.field_editor("until")
    assert isinstance(editor, DateEdit)
    editor.line_edit.setText(until)
    reason = dialog.field_editor("reason")
    reason.setCurrentIndex(reason.findData("timetable_for_child"))  # type: ignore[attr-defined]


def test_an_extension_beyond_eight_weeks_is_refused_with_the_reason(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, example_db)
    page.select_child("EX-002")
    seen: dict[str, object] = {}

    def fill_beyond(self: EventDialog) -> int:
        assert self.event_type() == "extension"  # the form opens preset to the type
        _fill_extension(self, "01/09/2025", "30/01/2026")
        seen["message"] = self.field_message("until")
        seen["ok"] = self.ok_button.isEnabled()
        self.ok_button.click()  # refused: the form stays open
        seen["accepted"] = self.result() == QDialog.DialogCode.Accepted
        return QDialog.DialogCode.Rejected

    monkeypatch.setattr(EventDialog, "exec", fill_beyond)
    assert page.record_buttons["extension"].isEnabled()
    page.record_buttons["extension"].click()
    assert "more than 8 weeks (56 days) after the later of the current end 26/09/2025" in str(seen["message"])
    assert "the latest allowed is 21/11/2025" in str(seen["message"])
    assert seen["ok"] is False and seen["accepted"] is False
    assert page.undo_stack.count() == 0
    assert _shown(page, "EX-002")["Projected end"] == "26/09/2025\nextended, week 34"


def test_a_refused_record_never_reaches_the_stack(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, example_db)
    page.select_child("EX-002")
    beyond = EventRecord(
        "e99", "extension", date(2025, 9, 1), {"until": date(2026, 1, 30), "reason": "timetable_for_child"}
    )
    monkeypatch.setattr(EventDialog, "ask", classmethod(lambda cls, *a, **k: beyond))
    errors: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: errors.append(text))
    assert page.record_event("extension") is False
    assert "the latest allowed is 21/11/2025" in errors[0]
    assert page.undo_stack.count() == 0


def test_an_extension_within_eight_weeks_is_recorded_and_undone(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, example_db)
    page.select_child("EX-002")

    def fill_within(self: EventDialog) -> int:
        _fill_extension(self, "01/09/2025", "21/11/2025")
        self.ok_button.click()
        return self.result()

    monkeypatch.setattr(EventDialog, "exec", fill_within)
    with qtbot.waitSignal(page.child_changed) as changed:
        page.record_buttons["extension"].click()
    assert changed.args == ["EX-002"]
    assert page.undo_stack.count() == 1
    assert _shown(page, "EX-002")["Projected end"] == "21/11/2025\nextended, week 42"
    assert page.selected_child() == "EX-002"  # the row stays selected
    page.undo_stack.undo()
    assert _shown(page, "EX-002")["Projected end"] == "26/09/2025\nextended, week 34"
    assert not any(
        e.type == "extension" and e.date == SEPTEMBER for e in store.get_child(example_db, "EX-002").events
    )  # type: ignore[union-attr]
    page.undo_stack.redo()
    assert _shown(page, "EX-002")["Projected end"] == "21/11/2025\nextended, week 42"


def test_hearing_and_final_order_forms_open_preset(
    qtbot: QtBot, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, example_db)
    page.select_child("EX-002")
    asked: list[str | None] = []
    monkeypatch.setattr(
        EventDialog,
        "ask",
        classmethod(lambda cls, parent, child, existing, event_type: asked.append(event_type)),
    )
    page.record_buttons["hearing"].click()
    page.record_actions["final_order"].trigger()  # the context menu's action
    assert asked == ["hearing", "final_order"]


def test_open_child_by_button_and_enter(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    assert not page.open_button.isEnabled()  # nothing chosen yet
    page.select_child("EX-002")
    with qtbot.waitSignal(page.open_child_requested) as opened:
        page.open_button.click()
    assert opened.args == ["EX-002"]
    page.activateWindow()
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    with qtbot.waitSignal(page.open_child_requested) as opened:
        qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert opened.args == ["EX-002"]


def test_read_only_offers_no_recording(qtbot: QtBot, example_db: Database, tmp_path: object) -> None:
    path = example_db.path
    assert path is not None
    read_only = open_database(path, read_only=True)
    try:
        page = _page(qtbot, read_only)
        page.select_child("EX-002")
        assert page.open_button.isEnabled()
        assert not any(b.isEnabled() for b in page.record_buttons.values())
        assert page.record_event("hearing") is False
    finally:
        read_only.engine.dispose()


def test_pending_issue_tab(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db, date(2025, 1, 29))
    model = page.pending_model
    assert model.ids() == ["EX-002"]
    row = {
        str(model.headerData(c, Qt.Orientation.Horizontal)): model.index(0, c).data()
        for c in range(model.columnCount())
    }
    assert row["Decision to issue"] == "20/01/2025"
    assert row["Documents to legal"] == "24/01/2025"
    assert row["Decision to documents (WD)"] == "4"
    assert row["Since the decision (WD)"] == "7"
    assert row["Issue due by"] == "03/02/2025\n10 WD standard"
    assert row["Against the standard"] == "Amber – due in 3 WD"
    assert page.tabs.tabText(1) == "Awaiting issue (1)"


def test_concluded_for_a_chosen_period(qtbot: QtBot, example_db: Database) -> None:
    store.save_event(
        example_db, "EX-002", EventRecord("fo", "final_order", date(2025, 10, 1), {"order": "care_order"})
    )
    page = _page(qtbot, example_db, date(2025, 10, 31))
    page.tabs.setCurrentIndex(2)
    assert page.period_combo.currentText() == "Last 3 months"
    assert page.concluded_model.ids() == ["EX-002"]
    row = {
        str(page.concluded_model.headerData(c, Qt.Orientation.Horizontal)): page.concluded_model.index(
            0, c
        ).data()
        for c in range(page.concluded_model.columnCount())
    }
    assert (row["Weeks"], row["Order"], row["Within 26 weeks"], row["Extensions"]) == (
        "34.3",
        "Care order",
        "No",
        "1",
    )
    assert "1 — 0 within 26 weeks (0%)" in page.concluded_label.text()
    assert "mean 34.3 weeks" in page.concluded_label.text()
    page.to_edit.line_edit.setText("30/09/2025")  # a chosen period without it
    assert page.period_combo.currentText() == "Chosen dates"
    assert page.concluded_model.ids() == []
    page.period_combo.setCurrentText("Last complete month")
    assert (page.from_edit.value(), page.to_edit.value()) == (date(2025, 9, 1), date(2025, 9, 30))


def _twins(db: Database) -> None:
    from models.io.journey_io import import_journey

    def child(cid: str, issued: str, group: str) -> dict[str, object]:
        return {
            "id": cid,
            "given_name": cid,
            "sibling_group": group,
            "events": [{"id": "p", "type": "proceedings_issued", "date": issued, "case_number": f"C{cid}"}],
        }

    import_journey(
        db,
        {
            "format": "journey",
            "version": 1,
            "children": [
                child("S-1", "2025-06-02", "G"),
                child("S-2", "2025-02-10", "G"),
                child("T-1", "2025-04-01", "H"),
            ],
        },
    )


def test_a_sibling_group_shown_together(qtbot: QtBot, db: Database) -> None:
    _twins(db)
    page = _page(qtbot, db)
    assert page.model.ids() == ["S-2", "S-1", "T-1"]
    assert not page.model.index(0, CourtModel.CHILD).data().startswith("↳")
    assert page.model.index(1, CourtModel.CHILD).data().startswith("↳ S-1")  # continues the group
    assert not page.model.index(2, CourtModel.CHILD).data().startswith("↳")
    # Sorting by time left keeps the group together too.
    page.model.sort(CourtModel.LEFT, Qt.SortOrder.AscendingOrder)
    assert page.model.ids() == ["S-2", "S-1", "T-1"]
    page.model.sort(CourtModel.ISSUED, Qt.SortOrder.AscendingOrder)
    assert page.model.ids() == ["S-2", "T-1", "S-1"]
    qtbot.keyClicks(page.search, "H")
    assert page.model.ids() == ["T-1"]


def test_models_pass_qtmodeltester(qtmodeltester: ModelTester, qtbot: QtBot, example_db: Database) -> None:
    store.save_event(
        example_db, "EX-002", EventRecord("fo", "final_order", date(2025, 10, 1), {"order": "care_order"})
    )
    page = _page(qtbot, example_db, date(2025, 1, 29))
    qtmodeltester.check(page.pending_model)
    page.set_as_of(SEPTEMBER)
    qtmodeltester.check(page.model)
    page.model.sort(CourtModel.END, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(page.model)
    page.set_as_of(date(2025, 10, 31))
    qtmodeltester.check(page.concluded_model)


def test_fixed_row_heights_and_no_proxy(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    for table in (page.table, page.pending_table, page.concluded_table):
        assert table.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
        assert not isinstance(table.model(), QSortFilterProxyModel)
    assert page.table.verticalHeader().defaultSectionSize() == ROW_HEIGHT


def test_the_ruler_paints_and_names_what_is_under_the_pointer(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    page.grab()  # paints every cell, the ruler included
    row = page.model.row_at(0)
    rect = QRect(0, 0, 504, ROW_HEIGHT)  # 36 weeks: 2 pixels a day
    g = RulerGeometry(rect, row)
    hearing = g.hearing_centre(row.hearings[0])
    assert tooltip_at(row, rect, QPoint(int(hearing.x()), int(hearing.y()))).startswith(
        "14/02/2025 Case management hearing (CMH)"
    )
    band = g.band_rect(row.extensions[0]).center()
    assert tooltip_at(row, rect, QPoint(int(band.x()), int(band.y()))).startswith("Extended on 28/07/2025")
    assert tooltip_at(row, rect, QPoint(10, 2)).startswith("Week 31 of 26")
    # Today, the end and week 26 fall where the dates say.
    assert g.today_x() < g.end_x()
    assert g.x(26 * 7) < g.end_x()


def test_the_ruler_never_overprints_or_cuts_its_numbers_or_marks_however_narrow(
    qtbot: QtBot, example_db: Database
) -> None:
    page = _page(qtbot, example_db)
    base = page.model.row_at(0)
    font = page.table.font()
    metrics = QFontMetrics(_small_font(font, 6.5))
    bold = QFontMetrics(_small_font(font, 6.5, bold=True))
    # A hearing every few days, all kinds: what a busy case looks like squeezed into 95 px.
    kinds = list(HEARING_MARKS)
    busy = tuple(
        HearingMark(base.issued + timedelta(days=d), kinds[d % len(kinds)], None, d > 150, d)
        for d in range(1, 400, 5)
    )
    for weeks_past in (0, 20, 44):  # a ruler of 26, 46 and 70 weeks
        end = base.statutory_end + timedelta(weeks=weeks_past)
        row = replace(base, end=end, as_of=end, hearings=busy)
        for width in (95, 140, 290, 600):
            rect = QRect(0, 0, width, ROW_HEIGHT)
            g = RulerGeometry(rect, row)
            labels = scale_labels(g, metrics, bold)
            texts = [text for text, _ in labels]
            assert "26" in texts and texts.count("26") == 1, (width, texts)
            for i, (_, box) in enumerate(labels):
                assert rect.left() <= box.left() and box.right() <= rect.right() + 1, (width, texts)
                for _, other in labels[i + 1 :]:
                    assert not box.intersects(other), (width, texts)
            marks = [g.hearing_centre(h).x() for h in shown_hearings(g, font)]
            assert marks and all(b - a >= 12 for a, b in itertools.pairwise(marks)), (width, marks)
            if width >= 290:
                assert len(texts) >= 4  # room enough: the scale is read, not just week 26
    # The window at 1366 leaves the ruler room: the other columns' starting widths.
    page.resize(1366 - 190 - 28, 600)
    page.show()
    assert page.table.horizontalHeader().sectionSize(CourtModel.RULER) >= 250


def test_the_legend_spells_out_every_mark(qtbot: QtBot) -> None:
    legend = RulerLegend()
    qtbot.addWidget(legend)
    text = " ".join(legend.texts)
    for word in ("ICO", "CMH", "further CMH", "IRH", "final", "other", "listed", "today", "end of week 26"):
        assert word in text
    assert "TfC = timetable for the child" in text
    assert len({(m.letter, m.shape) for m in HEARING_MARKS.values()}) == len(HEARING_MARKS)


def test_built_in_the_background(qtbot: QtBot, example_db: Database) -> None:
    stack = QUndoStack()
    page = CourtPage(example_db, stack, SEPTEMBER, run=run_in_background)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.view_ready, timeout=10_000):
        page.show()
    wait_for_background()
    assert page.model.ids() == ["EX-002"]
    assert page.busy_label.text() == ""
    # A hidden page is only marked stale; it is built when shown again.
    page.hide()
    page.set_as_of(MARCH)
    assert page.live.stale
    with qtbot.waitSignal(page.view_ready, timeout=10_000):
        page.show()
    wait_for_background()
    assert _shown(page, "EX-002")["Week"] == "5 of 26"


def test_rows_match_the_model_layer(qtbot: QtBot, example_db: Database) -> None:
    page = _page(qtbot, example_db)
    assert [r.child_id for r in build_court_view(example_db, SEPTEMBER).open] == page.model.ids()
    assert page.model.index(0, 0).data(ID_ROLE) == "EX-002"
