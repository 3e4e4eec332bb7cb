"""The import dialog: detected formats, the mapping step, the preview, import, valid children only,
and Cancel (which writes nothing), on a real database file and real widgets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from models.io.sources.mapped import load_mapping, save_mapping
from models.storage.db import Database
from models.storage.store import CHILD_T, EVENT_T, get_child
from views.import_dialog import ImportDialog
from views.live_rows import run_now

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\nC1,1,05/06/2015,WBRI,,,\r\nC2,2,01/02/2012,WBRI,,,\r\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\r\n"
    "C1,08/01/2024,S,C1,N1,U1,PR1,,,,,,\r\n"
    "C2,01/03/2023,S,V2,N1,U4,PR1,20/02/2024,E41,,,,\r\n"
)
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\r\nC1,05/06/2015,01/02/2024,PN1\r\n"


def return_903(folder: Path, episodes: str = EPISODES) -> Path:
    folder.mkdir()
    for name, text in (("header", HEADER), ("episodes", episodes), ("reviews", REVIEWS)):
        (folder / f"2024-{name}.csv").write_bytes(("\ufeff" + text).encode())
    return folder


def counts(db: Database) -> tuple[int, int]:
    with db.engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(CHILD_T)).scalar_one(),
            conn.execute(select(func.count()).select_from(EVENT_T)).scalar_one(),
        )


def dialog_for(qtbot: QtBot, db: Database, tmp_path: Path) -> ImportDialog:
    dialog = ImportDialog(db, tmp_path, today=lambda: date(2025, 6, 1))
    qtbot.addWidget(dialog)
    return dialog


def test_preview_then_import_a_903_return(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, db, tmp_path)
    assert not dialog.preview_button.isEnabled() and not dialog.import_button.isEnabled()
    dialog.add_paths([return_903(tmp_path / "r")])
    assert dialog.detected.rowCount() == 1
    assert dialog.detected.item(0, 1).text() == "SSDA903 return (CSV tables)"
    assert not dialog.mapping_editor.isVisibleTo(dialog)
    with qtbot.waitSignal(dialog.preview_ready):
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    assert counts(db) == (0, 0)  # a preview writes nothing
    assert dialog.sources_table.item(0, 1).text() == "31/03/2024"
    assert dialog.sources_table.item(0, 2).text() == "2 / 0 / 0 / 0"
    assert dialog.sources_table.item(0, 3).text() == "4 / 0 / 0"
    assert "cla_visit" in dialog.sources_table.item(0, 4).text()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert counts(db) == (2, 4)
    assert "2 children added" in dialog.status.text()
    assert not dialog.import_button.isEnabled()  # preview again before another import


def test_problems_block_the_import_until_valid_children_only(
    qtbot: QtBot, db: Database, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([return_903(tmp_path / "r", EPISODES + "C3,31/02/2024,S,C1,N1,U1,PR1,,,,,,\r\n")])
    with qtbot.waitSignal(dialog.preview_ready):
        dialog.start_preview()
    assert "2024-episodes.csv, row 4, column 'DECOM': child C3: '31/02/2024' is not a real date" in (
        dialog.details.toPlainText()
    )
    assert not dialog.import_button.isEnabled()
    assert "nothing can be imported as it is" in dialog.status.text()
    dialog.valid_only.setChecked(True)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    assert counts(db)[0] == 2 and get_child(db, "C3") is None


def cancelling(dialog: ImportDialog) -> Callable[..., None]:
    """A runner that presses Cancel just before the work runs (as a person would mid-way)."""

    def run(
        fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[Exception], None]
    ) -> None:
        dialog.cancel()
        run_now(fn, on_done, on_error)

    return run


def test_cancel_writes_nothing(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([return_903(tmp_path / "r")])
    dialog._run = cancelling(dialog)
    with qtbot.waitSignal(dialog.work_ended) as ended:
        dialog.start_preview()
    assert ended.args == ["cancelled"] and dialog.preview is None
    assert dialog.status.text() == "Cancelled; nothing was written."
    # Cancel while importing: the transaction is rolled back.
    dialog._run = run_now
    with qtbot.waitSignal(dialog.preview_ready):
        dialog.start_preview()
    dialog._run = cancelling(dialog)
    with qtbot.waitSignal(dialog.work_ended) as ended:
        dialog.start_import()
    assert ended.args == ["cancelled"]
    assert counts(db) == (0, 0)
    assert dialog.cancel_button.isEnabled() is False and dialog.close_button.isEnabled()


def test_the_mapping_step_for_a_spreadsheet_of_our_own(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    sheet = tmp_path / "plo tracker.csv"
    sheet.write_text("Child ID,Worker,LBP sent\nP1,A. Jones,06/01/2025\nP2,B. Khan,\n", encoding="utf-8")
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([sheet])
    assert dialog.detected.item(0, 1).text() == "spreadsheet (needs a mapping)"
    editor = dialog.mapping_editor
    assert editor.isVisibleTo(dialog)
    assert [editor.child_id.itemText(i) for i in range(editor.child_id.count())] == [
        "Child ID",
        "Worker",
        "LBP sent",
    ]
    dialog.start_preview()
    assert "Give the mapping a name" in dialog.status.text()
    editor.name.setText("plo")
    editor.fields["social_worker"].setCurrentText("Worker")
    editor.event_types[0].setCurrentIndex(editor.event_types[0].findData("letter_before_proceedings"))
    editor.event_dates[0].setCurrentText("LBP sent")
    editor.save_button.click()
    assert editor.message.text() == "Mapping 'plo' saved."
    assert load_mapping(db, "plo")["events"] == [{"type": "letter_before_proceedings", "date": "LBP sent"}]
    assert editor.saved.currentText() == "plo"
    with qtbot.waitSignal(dialog.imported):
        with qtbot.waitSignal(dialog.preview_ready):
            dialog.start_preview()
        dialog.start_import()
    p1 = get_child(db, "P1")
    assert p1 is not None and p1.fields["social_worker"] == "A. Jones"
    assert [e.type for e in p1.events] == ["letter_before_proceedings"]
    # A saved mapping is loaded back into the form.
    editor.name.clear()
    editor.saved.setCurrentIndex(editor.saved.findData("plo"))
    editor.saved.activated.emit(editor.saved.currentIndex())
    assert editor.name.text() == "plo" and editor.event_dates[0].currentText() == "LBP sent"


def test_tracked_from_can_be_changed(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([return_903(tmp_path / "r")])
    assert not dialog.tracked_from.isEnabled()
    dialog.tracked_from_check.setChecked(True)
    dialog.tracked_from.setDate(QDate(2024, 4, 15))
    with qtbot.waitSignal(dialog.preview_ready):
        dialog.start_preview()
    assert dialog.sources_table.item(0, 1).text() == "15/04/2024"
    with qtbot.waitSignal(dialog.imported):
        dialog.start_import()
    c1 = get_child(db, "C1")
    assert c1 is not None and c1.to_json()["tracked_from"] == "2024-04-15"


def test_a_refused_file_is_shown_with_its_reason(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    old = tmp_path / "annex.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([old])
    assert "save it as an Excel Workbook (.xlsx)" in dialog.detected.item(0, 1).text()
    assert "1 refused" in dialog.status.text()
    dialog.path_list.setCurrentRow(0)
    dialog.remove_button.click()
    assert dialog.paths == [] and dialog.detected.rowCount() == 0 and not dialog.preview_button.isEnabled()


def test_a_workbook_sheet_and_a_saved_mappings_other_keys(qtbot: QtBot, db: Database, tmp_path: Path) -> None:
    book = tmp_path / "court.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["nothing here"])
    ws = wb.create_sheet("Proceedings")
    ws.append(["Court team tracker"])
    ws.append(["ID", "Issued", "Case"])
    ws.append(["K1", "03/03/2025", "ZW25C00123"])
    wb.save(book)
    save_mapping(
        db,
        "court",
        {
            "child_id": "ID",
            "sheet": "Proceedings",
            "header_row": 2,
            "events": [{"type": "proceedings_issued", "date": "Issued", "fields": {"case_number": "Case"}}],
            "untracked": ["hearing"],
            "tracked_from": "2025-01-01",
        },
    )
    dialog = dialog_for(qtbot, db, tmp_path)
    dialog.add_paths([book])
    editor = dialog.mapping_editor
    assert [editor.sheet.itemText(i) for i in range(editor.sheet.count())] == ["Notes", "Proceedings"]
    editor.saved.setCurrentIndex(editor.saved.findData("court"))
    editor.saved.activated.emit(editor.saved.currentIndex())
    assert editor.sheet.currentText() == "Proceedings" and editor.header_row.value() == 2
    assert editor.child_id.currentText() == "ID"
    with qtbot.waitSignal(dialog.preview_ready):
        dialog.start_preview()
    assert dialog.sources_table.item(0, 1).text() == "01/01/2025"
    with qtbot.waitSignal(dialog.imported):
        dialog.start_import()
    k1 = get_child(db, "K1")
    assert k1 is not None and k1.to_json()["untracked"] == ["hearing"]
    assert [(e.type, e.fields.get("case_number")) for e in k1.events] == [
        ("proceedings_issued", "ZW25C00123")
    ]
