"""The child details form: a new child, or the details of one already recorded (not its events).

Checked as the journey file is (`parse_child_fields`, and the chronology against a changed date of
birth), with each problem shown next to its field and OK disabled until the record can be saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, Final

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import EVENT_TYPES, GENDERS
from models.domain.records import ChildRecord, check_chronology, parse_child_fields
from models.screens.child_view import choice_label, known_values, sentence
from models.storage import store
from models.storage.db import Database
from views.date_edit import DateEdit
from views.field_widgets import FieldMessage, TriStateBool, with_message
from views.forms import ask_until_saved
from views.labels import fmt_date

_NAME_FIELDS: Final = (("given_name", "Given name"), ("family_name", "Family name"))
_COMBO_FIELDS: Final = (
    ("team", "Team"),
    ("social_worker", "Social worker"),
    ("reviewing_officer", "Reviewing officer (IRO or CP chair)"),
)


class ChildDialog(QDialog):
    """Add a child or edit a child's details; `ask()` runs it and returns the record to save.

    Args:
        db: read for the known teams, workers and officers, and to refuse an ID already taken.
        existing: the child being edited (its ID is then fixed), or None for a new child.
    """

    def __init__(self, parent: QWidget | None, db: Database, existing: ChildRecord | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.existing = existing
        self._record: ChildRecord | None = None
        self.setWindowTitle(f"Details of {existing.name}" if existing is not None else "Add a child")
        self.setMinimumWidth(520)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.messages: dict[str, FieldMessage] = {}

        self.id_edit = QLineEdit(self)
        self.id_edit.setPlaceholderText("The case-management system's ID")
        if existing is not None:
            self.id_edit.setText(existing.id)
            self.id_edit.setReadOnly(True)
            self.id_edit.setToolTip(
                "The ID cannot be changed: it links the record to the case-management system."
            )
        self._add_row(form, "id", "ID *", self.id_edit)

        self.text_edits: dict[str, QLineEdit] = {}
        for name, label in _NAME_FIELDS:
            self.text_edits[name] = QLineEdit(self)
            self._add_row(form, name, label, self.text_edits[name])

        self.birth_edit = DateEdit(self, show_error=False)
        self._add_row(form, "date_of_birth", "Date of birth", self.birth_edit)
        self.expected_edit = DateEdit(self, show_error=False)
        self.expected_edit.setToolTip(
            "For an unborn child. Keep it after the birth: it lets pre-birth child protection events stand."
        )
        self._add_row(form, "expected_date_of_birth", "Expected date of birth", self.expected_edit)

        self.gender_combo = QComboBox(self)
        self.gender_combo.addItem("—", None)
        for gender in GENDERS:
            self.gender_combo.addItem(choice_label("gender", gender), gender)
        self._add_row(form, "gender", "Gender", self.gender_combo)

        self.text_edits["ethnicity"] = QLineEdit(self)
        self.text_edits["ethnicity"].setPlaceholderText("e.g. WBRI")
        self._add_row(form, "ethnicity", "Ethnicity (census code)", self.text_edits["ethnicity"])
        self.disability_edit = TriStateBool(self)
        self._add_row(form, "disability", "Disability", self.disability_edit)
        self.text_edits["sibling_group"] = QLineEdit(self)
        self.text_edits["sibling_group"].setPlaceholderText(
            "The family's group reference, shared by siblings"
        )
        self._add_row(form, "sibling_group", "Sibling group", self.text_edits["sibling_group"])

        known = known_values(db)
        self.combos: dict[str, QComboBox] = {}
        for name, label in _COMBO_FIELDS:
            combo = QComboBox(self)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            combo.addItems(known.get(name, []))
            combo.setCurrentIndex(-1)
            self.combos[name] = combo
            self._add_row(form, name, label, combo)

        # The opening balance of an imported record (timescales.md, "Tracked from").
        self.tracked_edit = DateEdit(self, show_error=False)
        self.tracked_edit.setToolTip(
            "For a record imported from a partial source (a statutory return, an extract): the day from "
            "which it is complete. Clocks that the record cannot show before then are not flagged. "
            "Leave empty for a complete record."
        )
        self._add_row(form, "tracked_from", "Record complete from", self.tracked_edit)
        self.untracked_list = QListWidget(self)
        self.untracked_list.setToolTip("The event types the record does not hold before that day")
        for name, event_type in EVENT_TYPES.items():
            item = QListWidgetItem(event_type.label, self.untracked_list)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.untracked_list.setMaximumHeight(96)
        self._add_row(form, "untracked", "Not held before then", self.untracked_list)

        self.message_area = QLabel(self)
        self.message_area.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save details" if existing is not None else "Add child")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_area)
        layout.addWidget(self.buttons)

        if existing is not None:
            self._fill(existing)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.id_edit.textChanged.connect(self.revalidate)
        for edit in self.text_edits.values():
            edit.textChanged.connect(self.revalidate)
        self.birth_edit.date_changed.connect(self._on_value_changed)
        self.expected_edit.date_changed.connect(self._on_value_changed)
        self.gender_combo.currentIndexChanged.connect(self._on_value_changed)
        self.disability_edit.value_changed.connect(self._on_value_changed)
        for combo in self.combos.values():
            combo.currentTextChanged.connect(self.revalidate)
        self.tracked_edit.date_changed.connect(self._on_value_changed)
        self.untracked_list.itemChanged.connect(self._on_value_changed)
        self.revalidate()
        (self.text_edits["given_name"] if existing is not None else self.id_edit).setFocus()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        db: Database,
        existing: ChildRecord | None = None,
        save: Callable[[ChildRecord], bool] | None = None,
    ) -> ChildRecord | None:
        """Run the form modally; the child to save, or None when cancelled.

        With `save`, the form stays open until `save(child)` succeeds (returns True).
        """
        return ask_until_saved(cls(parent, db, existing), save)

    def record(self) -> ChildRecord | None:
        """The child as entered (with its events and unknown keys kept), when it passes every check."""
        return self._record

    def accept(self) -> None:
        if not self.ok_button.isEnabled():
            return
        super().accept()

    def field_message(self, name: str) -> str:
        message = self.messages.get(name)
        return message.text() if message is not None and message.kind else ""

    # --- internals -------------------------------------------------------------------------------

    def _add_row(self, form: QFormLayout, name: str, label: str, editor: QWidget) -> None:
        editor.setAccessibleName(label.rstrip(" *"))
        box, message = with_message(editor, self)
        form.addRow(label, box)
        self.messages[name] = message

    def _fill(self, child: ChildRecord) -> None:
        f = child.fields
        for name, edit in self.text_edits.items():
            edit.setText(str(f.get(name) or ""))
        birth, expected = f.get("date_of_birth"), f.get("expected_date_of_birth")
        self.birth_edit.set_value(birth if isinstance(birth, date) else None)
        self.expected_edit.set_value(expected if isinstance(expected, date) else None)
        self.gender_combo.setCurrentIndex(max(0, self.gender_combo.findData(f.get("gender"))))
        disability = f.get("disability")
        self.disability_edit.set_value(disability if isinstance(disability, bool) else None)
        for name, combo in self.combos.items():
            combo.setEditText(str(f.get(name) or ""))
        tracked = f.get("tracked_from")
        self.tracked_edit.set_value(tracked if isinstance(tracked, date) else None)
        self.set_untracked(f.get("untracked") or ())

    def set_untracked(self, types: Iterable[str]) -> None:
        """Tick the event types the record does not hold before `tracked_from`."""
        chosen = set(types)
        for row in range(self.untracked_list.count()):
            item = self.untracked_list.item(row)
            checked = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def untracked(self) -> list[str]:
        out = []
        for row in range(self.untracked_list.count()):
            item = self.untracked_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _raw(self) -> dict[str, Any]:
        raw: dict[str, Any] = {"id": self.id_edit.text().strip()}
        for name, edit in self.text_edits.items():
            raw[name] = edit.text().strip() or None
        for name, dedit in (
            ("date_of_birth", self.birth_edit),
            ("expected_date_of_birth", self.expected_edit),
        ):
            value = dedit.value()
            raw[name] = value.isoformat() if value is not None else None
        tracked = self.tracked_edit.value()
        raw["tracked_from"] = tracked.isoformat() if tracked is not None else None
        # Without the day the record is complete from, nothing is untracked: clearing the day
        # clears both.
        raw["untracked"] = (self.untracked() or None) if tracked is not None else None
        raw["gender"] = self.gender_combo.currentData()
        raw["disability"] = self.disability_edit.value()
        for name, combo in self.combos.items():
            raw[name] = combo.currentText().strip() or None
        return raw

    def _on_value_changed(self, _value: object) -> None:
        self.revalidate()

    def revalidate(self) -> None:
        """Check the form as it stands and show each problem next to its field."""
        errors: dict[str, str] = {}
        raw = self._raw()
        child_id = raw["id"]
        if not child_id:
            errors["id"] = "Required: the case-management system's ID"
        elif self.existing is None and store.get_child(self.db, child_id) is not None:
            errors["id"] = f"A child with ID {child_id} is already recorded"
        self.untracked_list.setEnabled(self.tracked_edit.value() is not None)
        for name, dedit in (
            ("date_of_birth", self.birth_edit),
            ("expected_date_of_birth", self.expected_edit),
            ("tracked_from", self.tracked_edit),
        ):
            if dedit.error():
                errors[name] = dedit.error() or ""
        fields, issues = parse_child_fields(raw)
        for issue in issues:
            errors.setdefault(issue.field or "id", issue.reason)
        record: ChildRecord | None = None
        general: list[str] = []
        if not errors:
            existing = self.existing
            record = ChildRecord(
                child_id,
                {k: v for k, v in fields.items() if v is not None},
                existing.extra if existing is not None else {},
                existing.events if existing is not None else (),
            )
            for issue in check_chronology(record, record.events):
                event = next((e for e in record.events if e.id == issue.event_id), None)
                where = (
                    f" ({EVENT_TYPES[event.type].label.lower()} of {fmt_date(event.date)})" if event else ""
                )
                text = sentence(issue.reason) + where
                if issue.field == "date":
                    born = "date_of_birth" if record.fields.get("date_of_birth") else "expected_date_of_birth"
                    errors.setdefault(born, text)
                else:
                    general.append(text)
            if errors or general:
                record = None
        for name, message in self.messages.items():
            if name in errors:
                message.show_error(errors[name])
            else:
                message.clear_message()
        unchanged = record is not None and self.existing is not None and _same_details(record, self.existing)
        self._record = record
        self.ok_button.setEnabled(record is not None and not unchanged)
        if general:
            self.message_area.setStyleSheet("color: #b3261e;")
            self.message_area.setText("\n".join(general))
        elif unchanged:
            self.message_area.setStyleSheet("color: #5f6368;")
            self.message_area.setText("Nothing has been changed yet.")
        else:
            self.message_area.setText("")
        self.message_area.setVisible(bool(self.message_area.text()))


def _same_details(a: ChildRecord, b: ChildRecord) -> bool:
    return a.id == b.id and dict(a.fields) == dict(b.fields)
