"""The settings dialog saves through the store (audited), resets to the catalogue, and says what is wrong."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from models.domain.rules import Standards
from models.storage.db import Database
from models.storage.settings import load_settings
from views.settings_dialog import SettingsDialog


def _dialog(qtbot: QtBot, db: Database) -> SettingsDialog:
    dialog = SettingsDialog(db)
    qtbot.addWidget(dialog)
    return dialog


def _save(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)


def _audit_rows(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM audit WHERE entity = 'settings'").scalar_one())


def test_shows_the_catalogue_defaults(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    assert dialog.standard_spins["cp_visit_wd"].value() == 10
    assert dialog.amber_spins["cp.icpc_15wd"].value() == 5
    assert dialog.amber_spins["plo.pre_proceedings_16w"].value() == 28
    assert "cp.plan_length" not in dialog.amber_spins
    assert dialog.closure_days() == []
    assert dialog.settings() == load_settings(db)


def test_saves_every_kind_of_value(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    dialog.standard_spins["cp_visit_wd"].setValue(5)
    dialog.amber_spins["cla.visit"].setValue(10)
    qtbot.keyClicks(dialog.closure_date.line_edit, "29/12/2025")
    qtbot.mouseClick(dialog.add_closure_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.closure_date.line_edit, "27/12/2025")
    dialog.add_closure_button.click()
    assert dialog.closure_list.count() == 2
    assert dialog.closure_list.item(0).text().startswith("27/12/2025")
    dialog.authority_name.setText("Borsetshire County Council")
    dialog.protective_marking.setText("OFFICIAL")
    with qtbot.waitSignal(dialog.settings_saved):
        _save(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted
    saved = load_settings(db)
    assert saved.standards.cp_visit_wd == 5
    assert saved.standards.amber_for("cla.visit") == 10
    assert saved.standards.closure_days == (date(2025, 12, 27), date(2025, 12, 29))
    assert saved.authority_name == "Borsetshire County Council"
    assert saved.protective_marking == "OFFICIAL"
    assert _audit_rows(db) == 1


def test_remove_a_closure_day(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    dialog.closure_date.set_value(date(2025, 12, 27))
    dialog.add_closure_button.click()
    dialog.closure_list.item(0).setSelected(True)
    dialog.remove_closure_button.click()
    assert dialog.closure_days() == []


def test_reset_to_defaults(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    dialog.standard_spins["cla_visit_days"].setValue(28)
    dialog.amber_spins["cp.review_3m"].setValue(1)
    dialog.closure_date.set_value(date(2025, 12, 27))
    dialog.add_closure_button.click()
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert dialog.settings().standards == Standards()
    _save(qtbot, dialog)
    assert load_settings(db).standards == Standards()


def test_problems_are_shown_in_place_and_nothing_is_saved(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    dialog.show()
    dialog.standard_spins["cp_plan_amber_months"].setValue(24)  # after the 18-month limit
    dialog.authority_name.clear()
    with qtbot.assertNotEmitted(dialog.settings_saved):
        _save(qtbot, dialog)
    assert dialog.isVisible()
    assert "amber point" in dialog.message.text()
    assert "authority's name" in dialog.message.text()
    assert not dialog.message.isHidden()
    assert _audit_rows(db) == 0


def test_a_closure_day_that_is_not_a_date(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    qtbot.keyClicks(dialog.closure_date.line_edit, "31/02/2025")
    dialog.add_closure_button.click()
    assert dialog.closure_days() == []
    assert dialog.message.text()


def test_targets_milestones_and_caseload_standards(qtbot: QtBot, db: Database) -> None:
    from models.storage.settings import MeasureTarget

    dialog = _dialog(qtbot, db)
    assert dialog.target_spins["M1"].value() == 100
    assert dialog.milestone_edits["M1"].text() == "70, 80, 90"
    assert dialog.target_spins["M3"].value() == 90 and dialog.milestone_edits["M3"].text() == "70, 80"
    assert (
        dialog.caseload_spins["worker_high"].value() == 18 and dialog.caseload_spins["iro_low"].value() == 50
    )
    dialog.target_spins["M3"].setValue(95)
    dialog.milestone_edits["M3"].setText("75, 85%")
    dialog.caseload_spins["worker_high"].setValue(20)
    with qtbot.waitSignal(dialog.settings_saved):
        _save(qtbot, dialog)
    saved = load_settings(db)
    assert saved.target_for("M3") == MeasureTarget(95.0, (75.0, 85.0))
    assert saved.measure_targets.keys() == {"M3"}  # the others keep following their defaults
    assert saved.worker_caseload == (15, 20)


def test_a_milestone_above_its_target_is_refused_in_place(qtbot: QtBot, db: Database) -> None:
    dialog = _dialog(qtbot, db)
    dialog.milestone_edits["M5"].setText("70, 95")
    _save(qtbot, dialog)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Each milestone of M5 must lie between 0% and its target." in dialog.message.text()
    dialog.milestone_edits["M5"].setText("seventy")
    _save(qtbot, dialog)
    assert "The milestones of M5 must be numbers separated by commas" in dialog.message.text()
    dialog.milestone_edits["M5"].setText("70 by 31/02/2027")
    _save(qtbot, dialog)
    assert (
        "The date of the 70% milestone of M5 must be DD/MM/YYYY ('31/02/2027' is not)."
        in dialog.message.text()
    )
    dialog.milestone_edits["M5"].setText("70 by 30/09/2027, 80 by 31/03/2027")
    _save(qtbot, dialog)
    assert "must fall due in the order they rise" in dialog.message.text()
    assert _audit_rows(db) == 0


def test_milestones_with_the_improvement_plans_dates(qtbot: QtBot, db: Database) -> None:
    from models.storage.settings import MeasureTarget

    dialog = _dialog(qtbot, db)
    dialog.milestone_edits["M5"].setText("70 by 31/03/2027, 80 by 30/09/2027")
    with qtbot.waitSignal(dialog.settings_saved):
        _save(qtbot, dialog)
    saved = load_settings(db).target_for("M5")
    assert saved == MeasureTarget(90.0, (70.0, 80.0), (date(2027, 3, 31), date(2027, 9, 30)))
    again = _dialog(qtbot, db)
    assert again.milestone_edits["M5"].text() == "70 by 31/03/2027, 80 by 30/09/2027"
