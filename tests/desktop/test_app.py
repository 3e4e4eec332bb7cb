"""The application as a whole: start-up, the as-of date, first run, import, actions, window state."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QProgressDialog
from pytestqt.qtbot import QtBot

from desktop import app as desktop_app
from desktop.actions import MENUS, ActionId
from desktop.main_window import AS_OF_SETTLE_MS, MainWindow
from desktop.work import run_in_background, wait_for_background
from models.domain.records import ChildRecord
from models.storage.db import Database
from models.storage.store import get_child
from views import prompts
from views import register_model as rm
from views.date_edit import DateEdit
from views.import_dialog import ImportDialog
from views.undo import SaveChildCommand, push

Start = Callable[..., MainWindow]

MARCH = date(2025, 3, 3)
SEPTEMBER = date(2025, 9, 1)


def _rag(window: MainWindow, child_id: str) -> str:
    model = window.register_page.model
    return str(model.index(model.row_of(child_id), rm.RAG).data())


def test_starts_on_today_with_every_page_filled(start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    assert window.stack.currentWidget() is window.today_page
    assert window.register_page.count_label.text() == "3 of 3 children"
    assert window.today_page.overdue_label.text() == "<b>1</b> overdue"
    assert window.undo_stack is not None


def test_the_title_names_the_tracker_once(start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    # desktop.app sets no display name, which Qt would append to the title bar as well.
    assert window.windowTitle() == "Permanence Tracker — Example Borough Council"
    assert window.windowTitle().count("Permanence Tracker") == 1


def test_the_as_of_date_recomputes_every_page(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    assert _rag(window, "EX-003") == "—"
    assert not window.banner.isHidden()
    assert window.banner_label.text() == "Showing the position as at 03/03/2025 — not today"
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.as_of_edit.set_value(date(2025, 9, 1))
    assert window.as_of == SEPTEMBER
    assert _rag(window, "EX-003") == "Red – 1 overdue"
    assert _rag(window, "EX-002") == "Red – 3 overdue, 1 due soon"
    assert window.today_page.overdue_label.text() == "<b>5</b> overdue"
    assert window.today_page.due_soon_label.text() == "<b>1</b> due soon"
    assert window.banner_label.text() == "Showing the position as at 01/09/2025 — not today"
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        qtbot.mouseClick(window.back_to_today_button, Qt.MouseButton.LeftButton)
    assert window.as_of == date.today()
    assert window.banner.isHidden()
    assert window.as_of_edit.value() == date.today()


def test_the_as_of_date_is_typed_day_first(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    assert isinstance(window.as_of_edit, DateEdit)  # the forms' own date field
    line = window.as_of_edit.line_edit
    line.selectAll()
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        qtbot.keyClicks(line, "01/09/2026")
    assert window.as_of == date(2026, 9, 1)
    assert window.banner_label.text() == "Showing the position as at 01/09/2026 — not today"
    # Half typed, the position stays where it was (the box says what is wrong).
    line.selectAll()
    qtbot.keyClicks(line, "31/02/20")
    assert window.as_of == date(2026, 9, 1)
    assert window.as_of_edit.error()


def test_the_child_page_follows_the_as_of_date(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    with qtbot.waitSignal(window.today_page.open_child_requested):
        window.today_page.open_child_requested.emit("EX-001")
    assert window.stack.currentWidget() is window.child_page
    assert window.child_page.current_child_id() == "EX-001"
    assert window.action(ActionId.ADD_EVENT).isEnabled()
    assert window.nav.item(2).text() == "Child record\nAva Example"
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.set_as_of(SEPTEMBER)
    assert window.child_page.as_of() == SEPTEMBER


def test_first_run_welcome_then_demonstration_data(
    qtbot: QtBot, start: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(tmp_path / "empty.sqlite", wait=False)
    assert window.stack.currentWidget() is window.welcome_page
    assert window.nav.isHidden()
    monkeypatch.setattr(prompts, "ask_demo_children", lambda parent, default=200: 25)
    with qtbot.waitSignal(window.overview_ready, timeout=30_000):
        window.welcome_page.demo_button.click()
    assert window.stack.currentWidget() is window.today_page
    assert window.register_page.count_label.text() == "25 of 25 children"
    assert all(row.id.startswith("DEMO-") for row in window.register_page.model.all_rows)


def test_import_with_errors_offers_the_valid_children(
    qtbot: QtBot, start: Start, tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = json.loads((examples / "journey.json").read_text())
    data["children"][1]["events"][0]["type"] = "no_such_event"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    window = start(tmp_path / "empty.sqlite", wait=False)
    monkeypatch.setattr(prompts, "ask_open_import_files", lambda parent, folder=None: [bad])
    window.action(ActionId.IMPORT_JOURNEY).trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.add_files_button.click()
    assert dialog.detected.item(0, 1).text() == "journey file"
    with qtbot.waitSignal(dialog.preview_ready, timeout=20_000):
        dialog.preview_button.click()  # off the GUI thread, in the application's thread pool
    assert "EX-002" in dialog.details.toPlainText() and "no_such_event" in dialog.details.toPlainText()
    assert not dialog.import_button.isEnabled()
    dialog.valid_only.setChecked(True)
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        dialog.import_button.click()
    assert "2 children added" in dialog.status.text()
    assert window.register_page.model.visible_ids() == ["EX-001", "EX-003"]


def test_import_refused_imports_nothing(
    qtbot: QtBot, start: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    window = start(tmp_path / "empty.sqlite", wait=False)
    monkeypatch.setattr(prompts, "ask_open_import_files", lambda parent, folder=None: [bad])
    window.action(ActionId.IMPORT_JOURNEY).trigger()
    dialog = window.findChild(ImportDialog)
    assert dialog is not None
    dialog.add_files_button.click()
    with qtbot.waitSignal(dialog.preview_ready, timeout=20_000):
        dialog.preview_button.click()
    assert "not valid JSON" in dialog.details.toPlainText()
    assert not dialog.import_button.isEnabled()
    dialog.valid_only.setChecked(True)
    with qtbot.waitSignal(dialog.work_ended, timeout=20_000):
        dialog.import_button.click()
    dialog.close()
    assert window.stack.currentWidget() is window.welcome_page


def test_export_annex_a(
    start: Start, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(example_db.path)
    target = tmp_path / "annex.xlsx"
    monkeypatch.setattr(prompts, "ask_save_xlsx", lambda parent, suggested, title: target)
    window.action(ActionId.EXPORT_ANNEX_A).trigger()
    assert target.is_file() and "Annex A written to" in window.statusBar().currentMessage()


def test_export(start: Start, example_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = start(example_db.path)
    target = tmp_path / "out.json"
    monkeypatch.setattr(prompts, "ask_save_journey", lambda parent, suggested: target)
    window.action(ActionId.EXPORT_JOURNEY).trigger()
    assert [c["id"] for c in json.loads(target.read_text())["children"]] == ["EX-001", "EX-002", "EX-003"]


def test_settings_change_recomputes(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    window.action(ActionId.SETTINGS).trigger()
    from views.settings_dialog import SettingsDialog

    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    dialog.amber_spins["cla.review_first_20wd"].setValue(10)  # 14/03 is 9 working days after 03/03
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        dialog.buttons.accepted.emit()
    assert _rag(window, "EX-002") == "Amber – 1 due soon"


def test_actions_registry(start: Start, example_db: Database) -> None:
    window = start(example_db.path)
    shortcuts = {
        ActionId.NEW_CHILD: "Ctrl+N",
        ActionId.ADD_EVENT: "Ctrl+E",
        ActionId.FIND: "Ctrl+F",
        ActionId.PRINT: "Ctrl+P",
        ActionId.UNDO: "Ctrl+Z",
        ActionId.REDO: "Ctrl+Shift+Z",
    }
    for action_id, keys in shortcuts.items():
        assert window.action(action_id).shortcut() == QKeySequence(keys), action_id
    in_menus = {a for ids in MENUS.values() for a in ids}
    assert set(ActionId) - in_menus == set(), "every action is reachable from a menu"
    assert window.action(ActionId.PRINT).isEnabled()
    assert not window.action(ActionId.ADD_EVENT).isEnabled()  # no child open yet
    assert not window.action(ActionId.UNDO).isEnabled()


def test_find_focuses_the_register_search(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path)
    window.activateWindow()
    qtbot.waitExposed(window)
    window.action(ActionId.FIND).trigger()
    assert window.stack.currentWidget() is window.register_page
    qtbot.waitUntil(lambda: window.register_page.search.hasFocus())


def test_window_layout_is_remembered_in_the_data_folder(
    start: Start, example_db: Database, _private_data_dir: Path
) -> None:
    window = start(example_db.path)
    window.register_page.table.horizontalHeader().resizeSection(rm.NAME, 333)
    window.close()
    ini = _private_data_dir / "ui.ini"
    assert ini.exists()
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("register/header") is not None
    again = start(example_db.path)
    assert again.register_page.table.horizontalHeader().sectionSize(rm.NAME) == 333


def test_todays_filters_are_remembered_between_sessions(start: Start, example_db: Database) -> None:
    window = start(example_db.path, "--as-of", "2025-09-01")
    today = window.today_page
    today.officer_filter.setCurrentIndex(today.officer_filter.findData("R. Singh"))
    today.search.setText("visit")
    assert today.model.item_count() == 1
    window.close()
    again = start(example_db.path, "--as-of", "2025-09-01").today_page
    assert again.officer_filter.currentData() == "R. Singh" and again.search.text() == "visit"
    assert again.model.item_count() == 1 and again.shown_label.text() == "1 of 6 lines shown"


def test_a_file_that_is_not_a_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_text("these are my notes, not a database")
    shown: list[str] = []
    monkeypatch.setattr(prompts, "show_error", lambda parent, title, text: shown.append(text))
    status = desktop_app.main(["--db", str(bad), "--data-dir", str(tmp_path / "data")])
    assert status == 1
    assert "not a Permanence Tracker database" in shown[0]
    assert (tmp_path / "data" / "logs" / "permanence-tracker.log").exists()
    from desktop.logs import shutdown_logging

    shutdown_logging()


def test_print_opens_the_reports_on_the_shown_child(
    start: Start, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(example_db.path)
    calls: list[dict[str, object]] = []
    monkeypatch.setattr(
        "desktop.main_window.open_reports",
        lambda parent, db, as_of, **kw: calls.append({"db": db, "as_of": as_of, **kw}),
    )
    window.action(ActionId.PRINT).trigger()
    window.open_child("EX-002")
    window.action(ActionId.PRINT).trigger()
    assert [(c["name"], c["child_id"]) for c in calls] == [("tracker", None), ("chronology", "EX-002")]
    assert all(c["as_of"] == window.as_of and c["db"] is window.db for c in calls)


def test_a_first_start_fits_a_laptop_screen(
    start: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class LaptopScreen:  # the edge: the offscreen platform has one 800 x 800 screen
        def availableGeometry(self) -> QRect:
            return QRect(0, 0, 1366, 728)

    monkeypatch.setattr(MainWindow, "screen", lambda self: LaptopScreen())
    window = start(tmp_path / "new.sqlite", wait=False)
    # The title bar and frame are allowed for: the status bar stays on the screen.
    assert (window.width(), window.height()) == (1366 - 16, 728 - 48)
    assert window.y() >= 0 and window.y() + window.height() + 48 <= 728


def test_closing_the_window_deletes_its_undo_history_but_keeps_the_change(
    start: Start, example_db: Database
) -> None:
    window = start(example_db.path)
    push(window.undo_stack, SaveChildCommand(window.db, ChildRecord("NEW-9", {"given_name": "Ida"}), None))
    assert window.undo_stack.count() == 1
    window.close()
    assert window.undo_stack.count() == 0  # deleted now, not by whatever frees the window at exit
    assert get_child(example_db, "NEW-9") is not None


def test_the_window_fits_a_1024_wide_screen_on_every_page(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    # A hidden page still asks for its width: one long filter row or summary once made the
    # window at least 1,366 px wide. Filter bars and legends wrap now, and summaries wrap.
    window = start(example_db.path)
    for page in (window.today_page, window.register_page, window.court_page, window.escalations_page):
        window.stack.setCurrentWidget(page)
        qtbot.wait(50)
    wait_for_background()
    qtbot.wait(50)
    assert window.minimumSizeHint().width() <= 1000
    window.resize(1000, 700)
    qtbot.waitUntil(lambda: window.width() == 1000)


def test_quitting_during_background_work_waits_with_a_message_not_a_freeze(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    release = threading.Event()
    run_in_background(lambda: release.wait(10), lambda _r: None, lambda _e: None)  # a recompute, say
    ticks: list[float] = []
    said: list[str] = []

    def tick() -> None:
        ticks.append(time.perf_counter())
        said.extend(d.labelText() for d in window.findChildren(QProgressDialog) if d.isVisible())
        if len(ticks) == 60:
            release.set()

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(tick)
    heartbeat.start()
    window.close()  # returns once the work is done; the window painted meanwhile
    heartbeat.stop()
    # The heartbeat released the work: a frozen close would have waited on it for its 10 s.
    assert release.is_set() and not window.isVisible()
    assert "Closing once the work in progress is finished…" in said


def test_while_loading_today_and_the_register_say_working_out(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03", wait=False)
    today, register = window.today_page, window.register_page
    assert today.empty_label.text() == "Working out deadlines…" and not today.empty_label.isHidden()
    assert "Nothing is overdue" not in today.empty_label.text()
    assert not register.loading_label.isHidden() and register.model.total_count() == 3  # listed at once
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        pass
    assert register.loading_label.isHidden() and today.overdue_label.text() == "<b>1</b> overdue"
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.set_as_of(date(2025, 1, 6))  # a new date: worked out again, and said so meanwhile
        assert not register.loading_label.isHidden()
        assert today.overdue_label.text() == "Working out deadlines…"
        assert _rag(window, "EX-001") == "Working out…" and register.model.total_count() == 3
    assert register.loading_label.isHidden()


def test_arrow_keys_on_the_as_of_date_recompute_once_it_settles(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(example_db.path, "--as-of", "2025-03-03")
    recomputed: list[object] = []
    window.as_of_changed.connect(recomputed.append)
    window.as_of_edit.setFocus()
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        for day in range(4, 9):  # five days on, one at a time, as a person steps or types through them
            window.as_of_edit.set_value(date(2025, 3, day))
            qtbot.wait(50)
        assert recomputed == []  # still moving: nothing worked out yet
    assert recomputed == [date(2025, 3, 8)]  # once, for the day it stopped at
    QTest.keyClick(window.as_of_edit.line_edit, Qt.Key.Key_Backspace)  # "08/03/202": not a date
    qtbot.wait(AS_OF_SETTLE_MS + 200)
    assert recomputed == [date(2025, 3, 8)]  # a half-typed date is never worked out
    with qtbot.waitSignal(window.overview_ready, timeout=20_000):
        window.as_of_edit.set_value(date(2025, 3, 11))
        window.as_of_edit.line_edit.editingFinished.emit()  # Enter, or leaving the box: taken at once
    assert recomputed == [date(2025, 3, 8), date(2025, 3, 11)]


def test_an_edit_updates_the_childs_register_row_in_place(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    """One child edited (and undone): its row changes, the register is not listed again, and the
    selection stays on the child."""
    window = start(example_db.path)
    register = window.register_page
    register.table.selectRow(register.model.row_of("EX-003"))
    resets: list[object] = []
    register.model.modelReset.connect(lambda: resets.append(True))
    before = get_child(window.db, "EX-003")
    assert before is not None
    renamed = dataclasses.replace(before, fields={**dict(before.fields), "given_name": "Carys"})
    push(window.undo_stack, SaveChildCommand(window.db, renamed, before, window._on_child_changed))
    qtbot.waitUntil(
        lambda: register.model.index(register.model.row_of("EX-003"), rm.NAME).data().startswith("Carys")
    )
    window.undo_stack.undo()
    qtbot.waitUntil(
        lambda: register.model.index(register.model.row_of("EX-003"), rm.NAME).data().startswith("Cara")
    )
    assert resets == []
    assert register.selected_child() == "EX-003"
