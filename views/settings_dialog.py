"""The settings dialog: local standards, amber windows, closure days, authority name and marking,
the categories an escalation (DRP) may be raised under, each measure's target and milestones, and
the caseload standards.

Every value shows the catalogue's default beside it; "Reset standards to the catalogue defaults"
puts them back. Saving goes through `models.storage.store.save_settings` (validated and audited); what is
wrong is said in the dialog, which stays open until it is right or cancelled.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from models.domain.rules import RULES, Standards, Unit
from models.screens.drp_view import category_code, category_label
from models.screens.measures import MEASURES
from models.storage.db import Database
from models.storage.settings import (
    DEFAULT_DRP_CATEGORIES,
    GOOD_PRACTICE,
    MeasureTarget,
    Settings,
    load_settings,
)
from models.storage.store import ValidationError, save_settings
from views.date_edit import DateEdit
from views.field_widgets import ERROR_STYLE
from views.labels import fmt_date
from views.write_errors import KEPT, write_failure_message

#: (label, unit) of each local standard, in the order shown.
STANDARD_LABELS: Final = {
    "cp_visit_wd": ("Child protection visits at least every", "working days"),
    "issue_after_decision_wd": ("Proceedings issued within", "working days of the decision"),
    "drp_stage_response_wd": ("DRP: a response to each stage within", "working days"),
    "cp_plan_length_months": ("Child protection plan length limit", "months"),
    "cp_plan_amber_months": ("A CP plan shows amber once open for", "months"),
    "cla_first_visit_days": ("First looked-after visit within", "days of becoming looked after"),
    "cla_visit_days": ("Looked-after visits at least every", "days"),
}

_DEFAULTS = Standards()


def _unit_words(unit: Unit) -> str:
    return "working days" if unit is Unit.WORKING_DAYS else "days"


class SettingsDialog(QDialog):
    """Edit and save the authority's settings.

    Signals:
        settings_saved(): the settings were saved (the deadlines need recomputing).
    """

    settings_saved = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsDialog")
        self._db = db
        self._closure_days: list[date] = []

        self.standard_spins: dict[str, QSpinBox] = {}
        self.amber_spins: dict[str, QSpinBox] = {}

        tabs = QTabWidget(self)
        tabs.addTab(self._standards_tab(), "Local standards")
        tabs.addTab(self._amber_tab(), "Amber windows")
        tabs.addTab(self._closure_tab(), "Closure days")
        tabs.addTab(self._authority_tab(), "Authority")
        tabs.addTab(self._categories_tab(), "Escalation categories")
        tabs.addTab(self._targets_tab(), "Targets")
        self.tabs = tabs

        self.message = QLabel(self)
        self.message.setObjectName("settingsMessage")
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setWordWrap(True)
        self.message.setVisible(False)

        self.reset_button = QPushButton("Reset standards to the catalogue defaults", self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.reset_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        self.set_settings(load_settings(db))
        self.resize(720, 560)

    # --- building -----------------------------------------------------------------------------

    def _standards_tab(self) -> QWidget:
        page = QWidget(self)
        grid = QGridLayout(page)
        intro = QLabel(
            "Local standards are set by the authority, not by law. The tracker works out every "
            "child's deadlines with these values.",
            page,
        )
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 4)
        for row, (name, (label, unit)) in enumerate(STANDARD_LABELS.items(), start=1):
            spin = QSpinBox(page)
            spin.setRange(1, 999)
            spin.setObjectName(f"standard_{name}")
            self.standard_spins[name] = spin
            grid.addWidget(QLabel(label, page), row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(QLabel(unit, page), row, 2)
            grid.addWidget(self._default_label(getattr(_DEFAULTS, name), page), row, 3)
        grid.setColumnStretch(2, 1)
        grid.setRowStretch(len(STANDARD_LABELS) + 1, 1)
        return page

    def _amber_tab(self) -> QWidget:
        inner = QWidget(self)
        grid = QGridLayout(inner)
        intro = QLabel(
            "A deadline shows amber (due soon) when it falls within this many days of the as-of date.",
            inner,
        )
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 4)
        row = 1
        for rule_id, rule in RULES.items():
            if rule_id not in _DEFAULTS.amber:
                continue
            spin = QSpinBox(inner)
            spin.setRange(0, 365)
            spin.setObjectName(f"amber_{rule_id}")
            self.amber_spins[rule_id] = spin
            title = QLabel(rule.title, inner)
            title.setToolTip(rule_id)
            grid.addWidget(title, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(QLabel(_unit_words(rule.unit), inner), row, 2)
            grid.addWidget(self._default_label(_DEFAULTS.amber[rule_id], inner), row, 3)
            row += 1
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(row, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    def _closure_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel(
            "Days the authority is closed besides weekends and bank holidays in England and Wales "
            "(for example 27–31 December). They are not counted as working days. None by default.",
            page,
        )
        intro.setWordWrap(True)
        self.closure_list = QListWidget(page)
        self.closure_list.setObjectName("closureList")
        self.closure_date = DateEdit(page)
        self.add_closure_button = QPushButton("Add", page)
        self.remove_closure_button = QPushButton("Remove selected", page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Closure day:", page))
        row.addWidget(self.closure_date)
        row.addWidget(self.add_closure_button)
        row.addStretch(1)
        row.addWidget(self.remove_closure_button)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.closure_list, 1)
        self.add_closure_button.clicked.connect(self._on_add_closure_button_clicked)
        self.remove_closure_button.clicked.connect(self._on_remove_closure_button_clicked)
        return page

    def _authority_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.authority_name = QLineEdit(page)
        self.authority_name.setObjectName("authorityName")
        self.protective_marking = QLineEdit(page)
        self.protective_marking.setObjectName("protectiveMarking")
        form.addRow("Authority name", self.authority_name)
        form.addRow("Protective marking", self.protective_marking)
        note = QLabel("The marking is printed in capitals at the top and bottom of every report page.", page)
        note.setWordWrap(True)
        form.addRow(note)
        return page

    def _categories_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        intro = QLabel(
            "The categories an IRO or CP chair chooses from when raising an escalation. Escalations "
            "already recorded keep their category if it is removed here. Good practice alerts are a kind "
            "of their own, not a category.",
            page,
        )
        intro.setWordWrap(True)
        self.category_list = QListWidget(page)
        self.category_list.setObjectName("categoryList")
        self.category_edit = QLineEdit(page)
        self.category_edit.setObjectName("newCategory")
        self.category_edit.setPlaceholderText("A new category, e.g. Sibling contact")
        self.add_category_button = QPushButton("Add", page)
        self.remove_category_button = QPushButton("Remove selected", page)
        self.category_up_button = QPushButton("Move up", page)
        self.category_down_button = QPushButton("Move down", page)
        self.restore_categories_button = QPushButton("Restore the starting list", page)
        row = QHBoxLayout()
        row.addWidget(self.category_edit, 1)
        row.addWidget(self.add_category_button)
        side = QVBoxLayout()
        for button in (
            self.remove_category_button,
            self.category_up_button,
            self.category_down_button,
            self.restore_categories_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.category_list, 1)
        body.addLayout(side)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addLayout(body, 1)
        self.add_category_button.clicked.connect(self._on_add_category_button_clicked)
        self.category_edit.returnPressed.connect(self._on_add_category_button_clicked)
        self.remove_category_button.clicked.connect(self._on_remove_category_button_clicked)
        self.category_up_button.clicked.connect(lambda: self._move_category(-1))
        self.category_down_button.clicked.connect(lambda: self._move_category(1))
        self.restore_categories_button.clicked.connect(lambda: self._set_categories(DEFAULT_DRP_CATEGORIES))
        return page

    def _targets_tab(self) -> QWidget:
        inner = QWidget(self)
        grid = QGridLayout(inner)
        intro = QLabel(
            "Each percentage measure is judged against its target, with milestones on the way (a result on "
            "fewer than 5 children is too few to judge). Milestones: percentages below the target, separated "
            "by commas, each with the date the improvement plan sets for it if it has one (70 by 31/03/2027, "
            "80 by 30/09/2027); a dated measure is then held to the milestone already due.",
            inner,
        )
        intro.setWordWrap(True)
        grid.addWidget(intro, 0, 0, 1, 4)
        self.target_spins: dict[str, QSpinBox] = {}
        self.milestone_edits: dict[str, QLineEdit] = {}
        row = 1
        for definition in MEASURES:
            if not definition.is_percent:
                continue
            default = Settings().target_for(definition.id)
            spin = QSpinBox(inner)
            spin.setRange(1, 100)
            spin.setSuffix("%")
            spin.setObjectName(f"target_{definition.id}")
            milestones = QLineEdit(inner)
            milestones.setObjectName(f"milestones_{definition.id}")
            milestones.setPlaceholderText("70 by 31/03/2027, 80")
            self.target_spins[definition.id] = spin
            self.milestone_edits[definition.id] = milestones
            title = QLabel(f"{definition.id} {definition.title}", inner)
            title.setWordWrap(True)
            grid.addWidget(title, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(milestones, row, 2)
            words = f"default {default.target:g}%, milestones {default.milestone_text}"
            hint = QLabel(words, inner)
            hint.setStyleSheet("color: #5f6368;")
            grid.addWidget(hint, row, 3)
            row += 1
        self.caseload_spins: dict[str, QSpinBox] = {}
        for key, words in (
            ("worker_low", "A social worker's caseload: at least"),
            ("worker_high", "A social worker's caseload: at most"),
            ("iro_low", "A reviewing officer's caseload: at least"),
            ("iro_high", "A reviewing officer's caseload: at most"),
        ):
            spin = QSpinBox(inner)
            spin.setRange(1, 999)
            spin.setSuffix(" children")
            spin.setObjectName(f"caseload_{key}")
            self.caseload_spins[key] = spin
            grid.addWidget(QLabel(words, inner), row, 0)
            grid.addWidget(spin, row, 1)
            row += 1
        grid.setColumnStretch(0, 1)
        grid.setRowStretch(row, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        return scroll

    def _set_targets(self, settings: Settings) -> None:
        for measure_id, spin in self.target_spins.items():
            target = settings.target_for(measure_id)
            spin.setValue(round(target.target))
            self.milestone_edits[measure_id].setText(target.milestone_text)
        low, high = settings.worker_caseload
        self.caseload_spins["worker_low"].setValue(low)
        self.caseload_spins["worker_high"].setValue(high)
        low, high = settings.iro_caseload
        self.caseload_spins["iro_low"].setValue(low)
        self.caseload_spins["iro_high"].setValue(high)

    def measure_targets(self) -> tuple[dict[str, MeasureTarget], list[str]]:
        """The targets as entered that differ from their defaults, and what cannot be read."""
        targets: dict[str, MeasureTarget] = {}
        problems: list[str] = []
        for measure_id, spin in self.target_spins.items():
            try:
                target = MeasureTarget.parse(
                    spin.value(), self.milestone_edits[measure_id].text(), measure_id
                )
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if target != Settings().target_for(measure_id):
                targets[measure_id] = target
        return targets, problems

    @staticmethod
    def _default_label(value: int, parent: QWidget) -> QLabel:
        label = QLabel(f"default {value}", parent)
        label.setStyleSheet("color: #5f6368;")
        return label

    # --- values -------------------------------------------------------------------------------

    def set_settings(self, settings: Settings) -> None:
        self._set_standards(settings.standards)
        self.authority_name.setText(settings.authority_name)
        self.protective_marking.setText(settings.protective_marking)
        self._set_categories(settings.drp_categories)
        self._set_targets(settings)
        self.message.setVisible(False)

    def _set_categories(self, categories: tuple[str, ...]) -> None:
        self.category_list.clear()
        for code in categories:
            item = QListWidgetItem(category_label(code))
            item.setData(Qt.ItemDataRole.UserRole, code)
            self.category_list.addItem(item)

    def drp_categories(self) -> tuple[str, ...]:
        """The escalation categories as listed (codes, in order)."""
        items = (self.category_list.item(i) for i in range(self.category_list.count()))
        return tuple(str(item.data(Qt.ItemDataRole.UserRole)) for item in items if item is not None)

    def _set_standards(self, standards: Standards) -> None:
        for name, spin in self.standard_spins.items():
            spin.setValue(getattr(standards, name))
        for rule_id, spin in self.amber_spins.items():
            spin.setValue(standards.amber_for(rule_id))
        self._closure_days = sorted(standards.closure_days)
        self._refresh_closure_list()

    def settings(self) -> Settings:
        """The settings as entered (not yet checked)."""
        values = {name: spin.value() for name, spin in self.standard_spins.items()}
        standards = dataclasses.replace(
            _DEFAULTS,
            **values,
            amber={rule_id: spin.value() for rule_id, spin in self.amber_spins.items()},
            closure_days=tuple(self._closure_days),
        )
        spins = self.caseload_spins
        return Settings(
            standards,
            self.authority_name.text().strip(),
            self.protective_marking.text().strip(),
            self.drp_categories(),
            self.measure_targets()[0],
            (spins["worker_low"].value(), spins["worker_high"].value()),
            (spins["iro_low"].value(), spins["iro_high"].value()),
        )

    def closure_days(self) -> list[date]:
        return list(self._closure_days)

    def _refresh_closure_list(self) -> None:
        self.closure_list.clear()
        for day in self._closure_days:
            item = QListWidgetItem(f"{fmt_date(day)}  ({day:%A})")
            item.setData(Qt.ItemDataRole.UserRole, day.isoformat())
            self.closure_list.addItem(item)

    def _show_problems(self, problems: list[str]) -> None:
        self.message.setText("\n".join(f"• {p}" for p in problems))
        self.message.setVisible(bool(problems))

    # --- handlers -----------------------------------------------------------------------------

    def _on_add_category_button_clicked(self) -> None:
        code = category_code(self.category_edit.text())
        if not code:
            return
        if code == GOOD_PRACTICE:
            self._show_problems(["Good practice is an alert of its own, not an escalation category."])
            return
        if code in self.drp_categories():
            self._show_problems([f"{category_label(code)} is already in the list."])
            return
        self._set_categories((*self.drp_categories(), code))
        self.category_list.setCurrentRow(self.category_list.count() - 1)
        self.category_edit.clear()
        self.message.setVisible(False)

    def _on_remove_category_button_clicked(self) -> None:
        row = self.category_list.currentRow()
        if row >= 0:
            self.category_list.takeItem(row)

    def _move_category(self, step: int) -> None:
        row = self.category_list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.category_list.count():
            return
        item = self.category_list.takeItem(row)
        self.category_list.insertItem(target, item)
        self.category_list.setCurrentRow(target)

    def _on_reset_button_clicked(self) -> None:
        self._set_standards(Standards())
        self.message.setVisible(False)

    def _on_add_closure_button_clicked(self) -> None:
        day = self.closure_date.value()
        if day is None:
            self._show_problems([self.closure_date.error() or "Type a closure day as dd/mm/yyyy first."])
            return
        if day not in self._closure_days:
            self._closure_days = sorted([*self._closure_days, day])
            self._refresh_closure_list()
        self.closure_date.set_value(None)
        self.message.setVisible(False)

    def _on_remove_closure_button_clicked(self) -> None:
        chosen = {
            date.fromisoformat(i.data(Qt.ItemDataRole.UserRole)) for i in self.closure_list.selectedItems()
        }
        if chosen:
            self._closure_days = [d for d in self._closure_days if d not in chosen]
            self._refresh_closure_list()

    def _on_buttons_accepted(self) -> None:
        settings = self.settings()
        problems = self.measure_targets()[1] + settings.validate()
        if problems:
            self._show_problems(problems)
            return
        try:
            save_settings(self._db, settings)
        except ValidationError as exc:
            self._show_problems([str(i) for i in exc.issues])
            return
        except Exception as exc:  # a read-only file or a full disk: say so, keep the dialog open
            message = write_failure_message(exc)
            if message is None:
                raise
            self._show_problems([message + KEPT])
            return
        self.settings_saved.emit()
        self.accept()
