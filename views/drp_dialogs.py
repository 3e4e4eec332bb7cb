"""The DRP workflow: raise an escalation (or a good practice alert), escalate it, record a response,
resolve it — one small form each, and `DrpActions` to run them and save on the undo stack.

Each form builds a journey-file event and runs the same checks as an import (`parse_event`, then
`validate_event_change` over the whole chronology), plus the few the workflow adds (an escalation
goes to a higher stage, on or after the current one began); OK stays disabled until the event can
be saved, and the message area says why. Each form shows the clock its event starts or stops.

What is wanted and by when are kept on the `drp_raised` event as the extra keys `wanted` and
`wanted_by` (see `models.screens.drp_view`); a good practice alert is a `drp_raised` of category
`good_practice` at stage 0, which starts no clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any, ClassVar, Final

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import DRP_STAGE_NAMES
from models.domain.records import ChildRecord, EventRecord, issue_sentence, parse_event
from models.screens.child_view import sentence
from models.screens.drp_view import (
    ADDRESSED_TO,
    CAFCASS_STAGE,
    FORMAL_STAGES,
    WANTED_BY_KEY,
    WANTED_KEY,
    AlertKind,
    category_label,
    child_escalations,
    kind_of,
    next_ref,
    no_clock_reason,
    open_escalations,
    stage_due,
    stage_label,
)
from models.screens.facts import Escalation, child_facts
from models.storage import store
from models.storage.db import Database
from models.storage.settings import GOOD_PRACTICE, Settings, load_settings
from views import prompts
from views.date_edit import DateEdit
from views.labels import fmt_date
from views.recording import save_new_event

_STAGES: Final = sorted(DRP_STAGE_NAMES)


def _label(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setMinimumWidth(label.fontMetrics().horizontalAdvance("What is wanted, by when *") + 6)
    return label


class _DrpForm(QDialog):
    """One DRP event for one child: the date, the type's fields, an optional note; checked live."""

    EVENT_TYPE: ClassVar[str] = ""
    DATE_LABEL: ClassVar[str] = "Date"

    def __init__(self, parent: QWidget | None, child: ChildRecord, title: str, day: date | None) -> None:
        super().__init__(parent)
        self.child = child
        self.event_id = store.new_event_id(child)
        self._record: EventRecord | None = None
        self._message_plain = ""
        self._ready = False  # checks start once the subclass's fields exist
        self.setWindowTitle(f"{title} – {child.name}")
        self.setMinimumWidth(560)

        heading = QLabel(f"<b>{escape(child.name)}</b> ({escape(child.id)})", self)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.date_edit = DateEdit(self, show_error=False)
        self.date_edit.line_edit.setAccessibleName(self.DATE_LABEL)
        self.form.addRow(_label(self.DATE_LABEL + " *", self), self.date_edit)

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setPlaceholderText("Optional")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 3 + 14)

        self.clock_label = QLabel(self)
        self.clock_label.setObjectName("clockNote")
        self.clock_label.setWordWrap(True)
        self.clock_label.setStyleSheet("color: #1f4e79;")

        self.message_area = QLabel(self)
        # Rich text always: a one-line message with an apostrophe must not show `&#x27;`.
        self.message_area.setTextFormat(Qt.TextFormat.RichText)
        self.message_area.setObjectName("messageArea")
        self.message_area.setWordWrap(True)
        self.message_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_area.setMargin(6)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok

        self._layout = QVBoxLayout(self)
        self._layout.addWidget(heading)
        self._layout.addLayout(self.form)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.date_edit.date_changed.connect(self._on_changed)
        self.note_edit.textChanged.connect(self.revalidate)
        if day is not None:
            self.date_edit.set_value(day)

    def _finish(self, ok_text: str) -> None:
        """Subclasses call this once their fields are added."""
        self.form.addRow(_label("Note", self), self.note_edit)
        self._layout.addWidget(self.clock_label)
        self._layout.addWidget(self.message_area)
        self._layout.addStretch(1)
        self._layout.addWidget(self.buttons)
        self.ok_button.setText(ok_text)
        self._ready = True
        self.revalidate()
        self.date_edit.setFocus()

    # --- running it -------------------------------------------------------------------------------

    def run(self) -> EventRecord | None:
        """Show the form modally; the valid event, or None when cancelled."""
        try:
            if self.exec() == QDialog.DialogCode.Accepted:
                return self.record()
            return None
        finally:
            self.deleteLater()

    def record(self) -> EventRecord | None:
        return self._record

    def message_text(self) -> str:
        return self._message_plain

    def accept(self) -> None:
        if self.ok_button.isEnabled():
            super().accept()

    # --- for subclasses ---------------------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        """The type-specific fields as the journey file writes them."""
        raise NotImplementedError

    def extra(self) -> dict[str, Any]:
        return {}

    def problems(self, day: date) -> list[str]:
        """What the workflow itself asks beyond the journey format (empty when all is well)."""
        return []

    def clock_note(self, day: date | None) -> str:
        return ""

    # --- checking ---------------------------------------------------------------------------------

    def _on_changed(self, *_args: object) -> None:
        self.revalidate()

    def revalidate(self) -> None:
        if not self._ready:
            return
        day = self.date_edit.value()
        problems: list[str] = []
        record: EventRecord | None = None
        if self.date_edit.error():
            problems.append(sentence(self.date_edit.error() or ""))
        elif day is None:
            problems.append(f"Type the {self.DATE_LABEL.lower()} (dd/mm/yyyy).")
        else:
            problems += self.problems(day)
        if not problems and day is not None:
            raw: dict[str, Any] = {"id": self.event_id, "type": self.EVENT_TYPE, "date": day.isoformat()}
            raw.update({k: v for k, v in self.fields().items() if v is not None})
            raw.update({k: v for k, v in self.extra().items() if v is not None})
            note = self.note_edit.toPlainText().strip()
            if note:
                raw["note"] = note
            raw["recorded_by"] = store.current_user()
            parsed, issues = parse_event(raw, self.child.id)
            if parsed is not None:
                issues = store.validate_event_change(self.child, parsed, replacing=self.event_id)
            problems += [issue_sentence(i, self.child, self.event_id) for i in issues]
            if not issues:
                record = parsed
        self._record = record
        self.clock_label.setText(self.clock_note(day))
        self.clock_label.setVisible(bool(self.clock_label.text()))
        if problems:
            self._show(problems, error=True)
        else:
            self._show(["Ready to save."], error=False)
        self.ok_button.setEnabled(record is not None)

    def _show(self, lines: list[str], *, error: bool) -> None:
        colour = "#b3261e" if error else "#0f5132"
        background = "#fdecea" if error else "#e8f3ee"
        if len(lines) == 1:
            html = escape(lines[0])
        else:
            html = "<ul style='margin:0'>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>"
        self.message_area.setText(html)
        self.message_area.setStyleSheet(
            f"QLabel#messageArea {{ color: {colour}; background: {background}; border: 1px solid {colour};"
            " border-radius: 3px; }"
        )
        self._message_plain = "\n".join(lines)


def _addressed_combo(parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    for stage in _STAGES:
        combo.addItem(ADDRESSED_TO[stage])
    combo.setAccessibleName("Addressed to")
    return combo


def _current_state(e: Escalation) -> str:
    return f"{e.ref}: raised {fmt_date(e.raised)}, now at stage {stage_label(e.current.stage)} since {fmt_date(e.current.date)}"


class RaiseDialog(_DrpForm):
    """Raise an escalation (stage, category, addressed to, raised by and role, what is wanted by
    when), or record a good practice alert."""

    EVENT_TYPE = "drp_raised"
    DATE_LABEL = "Date raised"

    def __init__(
        self,
        parent: QWidget | None,
        child: ChildRecord,
        *,
        settings: Settings,
        ref: str,
        day: date | None,
        good_practice: bool = False,
    ) -> None:
        title = "Record a good practice alert" if good_practice else "Raise an escalation"
        super().__init__(parent, child, title, day)
        self.settings = settings
        self.kind_combo = QComboBox(self)
        self.kind_combo.addItem("Escalation (dispute resolution)", AlertKind.ESCALATION.value)
        self.kind_combo.addItem("Good practice alert", AlertKind.GOOD_PRACTICE.value)
        self.kind_combo.setAccessibleName("Kind")
        self.ref_edit = QLineEdit(ref, self)
        self.ref_edit.setAccessibleName("Reference")
        self.stage_combo = QComboBox(self)
        for stage in _STAGES:
            self.stage_combo.addItem(stage_label(stage), stage)
        self.stage_combo.setAccessibleName("Stage")
        self.category_combo = QComboBox(self)
        self.category_combo.addItem("Choose…", None)
        for code in settings.drp_categories:
            self.category_combo.addItem(category_label(code), code)
        self.category_combo.setAccessibleName("Category")
        self.addressed_combo = _addressed_combo(self)
        self.raised_by_edit = QLineEdit(str(child.fields.get("reviewing_officer") or ""), self)
        self.raised_by_edit.setAccessibleName("Raised by")
        self.role_combo = QComboBox(self)
        self.role_combo.addItem("IRO", "iro")
        self.role_combo.addItem("CP chair", "cp_chair")
        self.role_combo.setAccessibleName("Role")
        facts = child_facts(child, day or date.max)
        self.role_combo.setCurrentIndex(
            0 if facts.open_care_period is not None or not facts.open_cp_plan else 1
        )
        self.wanted_edit = QPlainTextEdit(self)
        self.wanted_edit.setTabChangesFocus(True)
        self.wanted_edit.setPlaceholderText("What the IRO or CP chair wants to happen")
        self.wanted_edit.setFixedHeight(self.wanted_edit.fontMetrics().lineSpacing() * 2 + 14)
        self.wanted_edit.setAccessibleName("What is wanted")
        self.wanted_by_edit = DateEdit(self, show_error=False)
        self.wanted_by_edit.line_edit.setAccessibleName("Wanted by")

        self.form.insertRow(0, _label("Kind", self), self.kind_combo)
        self.form.addRow(_label("Reference *", self), self.ref_edit)
        self.form.addRow(_label("Stage *", self), self.stage_combo)
        self.form.addRow(_label("Category *", self), self.category_combo)
        self.form.addRow(_label("Addressed to", self), self.addressed_combo)
        self.form.addRow(_label("Raised by", self), self.raised_by_edit)
        self.form.addRow(_label("Role", self), self.role_combo)
        self.form.addRow(_label("What is wanted", self), self.wanted_edit)
        self.form.addRow(_label("Wanted by", self), self.wanted_by_edit)

        self.stage_combo.setCurrentIndex(self.stage_combo.findData(1))
        self.addressed_combo.setCurrentText(ADDRESSED_TO[1])
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self.stage_combo.currentIndexChanged.connect(self._on_stage_combo_current_index_changed)
        for combo in (self.category_combo, self.role_combo):
            combo.currentIndexChanged.connect(self._on_changed)
        for edit in (self.ref_edit, self.raised_by_edit):
            edit.textChanged.connect(self._on_changed)
        self.addressed_combo.currentTextChanged.connect(self._on_changed)
        self.wanted_edit.textChanged.connect(self.revalidate)
        self.wanted_by_edit.date_changed.connect(self._on_changed)
        if good_practice:
            self.kind_combo.setCurrentIndex(1)
        self._finish("Save")

    def kind(self) -> AlertKind:
        return AlertKind(self.kind_combo.currentData())

    def category(self) -> str | None:
        """The category chosen; None while "Choose…" is shown."""
        if self.category_combo.currentIndex() <= 0:
            return None
        return str(self.category_combo.currentData())

    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        good = self.kind() is AlertKind.GOOD_PRACTICE
        if good:
            self.stage_combo.setCurrentIndex(self.stage_combo.findData(0))
        self.stage_combo.setEnabled(not good)
        for widget in (self.category_combo, self.wanted_edit, self.wanted_by_edit):
            self.form.setRowVisible(widget, not good)
        self.setWindowTitle(
            ("Record a good practice alert" if good else "Raise an escalation") + f" – {self.child.name}"
        )
        self.ok_button.setText("Save")
        self.revalidate()

    def _on_stage_combo_current_index_changed(self, _index: int) -> None:
        stage = self.stage_combo.currentData()
        if isinstance(stage, int):
            self.addressed_combo.setCurrentText(ADDRESSED_TO[stage])
        self.revalidate()

    def fields(self) -> dict[str, Any]:
        good = self.kind() is AlertKind.GOOD_PRACTICE
        return {
            "ref": self.ref_edit.text().strip() or None,
            "stage": 0 if good else self.stage_combo.currentData(),
            "category": GOOD_PRACTICE if good else self.category(),
            "addressed_to": self.addressed_combo.currentText().strip() or None,
            "raised_by": self.raised_by_edit.text().strip() or None,
            "role": self.role_combo.currentData(),
        }

    def extra(self) -> dict[str, Any]:
        if self.kind() is AlertKind.GOOD_PRACTICE:
            return {}
        wanted = self.wanted_edit.toPlainText().strip()
        by = self.wanted_by_edit.value()
        return {WANTED_KEY: wanted or None, WANTED_BY_KEY: by.isoformat() if by else None}

    def problems(self, day: date) -> list[str]:
        out = []
        ref = self.ref_edit.text().strip()
        if not ref:
            out.append("Give the escalation a reference.")
        elif any(e.ref == ref for e in child_escalations(self.child) if e.is_open):
            out.append(
                f"Escalation {ref} is already open for this child: escalate it, or use a new reference."
            )
        if self.kind() is AlertKind.ESCALATION and self.category() is None:
            out.append("Choose the category of the escalation.")
        if self.wanted_by_edit.error():
            out.append("Wanted by: " + sentence(self.wanted_by_edit.error() or ""))
        elif (by := self.wanted_by_edit.value()) is not None and by < day:
            out.append("The date it is wanted by cannot be before the date raised.")
        if self.stage_combo.currentData() == CAFCASS_STAGE and self.role_combo.currentData() != "iro":
            out.append("A referral to Cafcass is made by the IRO of a child in care.")
        return out

    def clock_note(self, day: date | None) -> str:
        if self.kind() is AlertKind.GOOD_PRACTICE:
            return "A good practice alert starts no clock; it is counted apart from escalations."
        stage = self.stage_combo.currentData()
        if not isinstance(stage, int) or day is None:
            return ""
        reason = no_clock_reason(stage)
        if reason:
            extra = " The 20-working-day clock starts at the first formal stage." if stage == 0 else ""
            return reason + "." + extra
        calendar = store.calendar_of(self.settings)
        due = stage_due(self.settings.standards, calendar, day, stage)
        whole = calendar.add_working_days(day, 20)
        wd = self.settings.standards.drp_stage_response_wd
        return (
            f"A response is due by {fmt_date(due)} ({wd} working days); the formal process should end by "
            f"{fmt_date(whole)} (20 working days)."
        )

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        child: ChildRecord,
        *,
        settings: Settings,
        ref: str,
        day: date | None,
        good_practice: bool = False,
    ) -> EventRecord | None:
        return cls(parent, child, settings=settings, ref=ref, day=day, good_practice=good_practice).run()


class _FollowForm(_DrpForm):
    """A DRP event about an escalation raised before: its ref is fixed."""

    def __init__(
        self, parent: QWidget | None, child: ChildRecord, escalation: Escalation, title: str, day: date | None
    ) -> None:
        super().__init__(parent, child, title, day)
        self.escalation = escalation
        state = QLabel(_current_state(escalation), self)
        state.setTextFormat(Qt.TextFormat.PlainText)  # as written: never `&#x27;` for an apostrophe
        state.setObjectName("escalationState")
        state.setWordWrap(True)
        self.form.insertRow(0, _label("Escalation", self), state)

    def problems(self, day: date) -> list[str]:
        since = self.escalation.current.date
        if day < since:
            return [
                f"The date cannot be before {fmt_date(since)}, when the escalation reached its current stage."
            ]
        return []


class EscalateDialog(_FollowForm):
    """Escalate to a higher stage (stages may be skipped, as the IRO Handbook allows)."""

    EVENT_TYPE = "drp_escalated"
    DATE_LABEL = "Date escalated"

    def __init__(
        self,
        parent: QWidget | None,
        child: ChildRecord,
        escalation: Escalation,
        *,
        settings: Settings,
        day: date | None,
    ) -> None:
        super().__init__(parent, child, escalation, "Escalate", day)
        self.settings = settings
        self.stage_combo = QComboBox(self)
        for stage in _STAGES:
            if stage > escalation.current.stage:
                self.stage_combo.addItem(stage_label(stage), stage)
        self.stage_combo.setAccessibleName("Stage")
        self.addressed_combo = _addressed_combo(self)
        self.form.addRow(_label("To stage *", self), self.stage_combo)
        self.form.addRow(_label("Addressed to", self), self.addressed_combo)
        self._on_stage_combo_current_index_changed(0)
        self.stage_combo.currentIndexChanged.connect(self._on_stage_combo_current_index_changed)
        self.addressed_combo.currentTextChanged.connect(self._on_changed)
        self._finish("Escalate")

    def _on_stage_combo_current_index_changed(self, _index: int) -> None:
        stage = self.stage()
        if stage is not None:
            self.addressed_combo.setCurrentText(ADDRESSED_TO[stage])
        self.revalidate()

    def stage(self) -> int | None:
        return int(self.stage_combo.currentData()) if self.stage_combo.count() else None

    def fields(self) -> dict[str, Any]:
        return {
            "ref": self.escalation.ref,
            "stage": self.stage(),
            "addressed_to": self.addressed_combo.currentText().strip() or None,
        }

    def problems(self, day: date) -> list[str]:
        out = super().problems(day)
        if self.stage() is None:
            out.append(
                f"The escalation is at stage {stage_label(self.escalation.current.stage)}: there is no higher stage."
            )
        return out

    def clock_note(self, day: date | None) -> str:
        stage = self.stage()
        if stage is None or day is None:
            return ""
        if stage not in FORMAL_STAGES:
            return no_clock_reason(stage) + "."
        calendar = store.calendar_of(self.settings)
        due = stage_due(self.settings.standards, calendar, day, stage)
        note = f"A response to stage {stage_label(stage)} is due by {fmt_date(due)}."
        if not self.escalation.formal:
            note += f" The formal process starts here and should end by {fmt_date(calendar.add_working_days(day, 20))}."
        return note

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        child: ChildRecord,
        escalation: Escalation,
        *,
        settings: Settings,
        day: date | None,
    ) -> EventRecord | None:
        return cls(parent, child, escalation, settings=settings, day=day).run()


class ResponseDialog(_FollowForm):
    """Record the response to the current stage: satisfactory or not."""

    EVENT_TYPE = "drp_response"
    DATE_LABEL = "Date received"

    def __init__(
        self, parent: QWidget | None, child: ChildRecord, escalation: Escalation, *, day: date | None
    ) -> None:
        super().__init__(parent, child, escalation, "Record a response", day)
        self.satisfactory = QRadioButton("Satisfactory", self)
        self.unsatisfactory = QRadioButton("Not satisfactory", self)
        self._group = QButtonGroup(self)
        self._group.addButton(self.satisfactory)
        self._group.addButton(self.unsatisfactory)
        row = QHBoxLayout()
        row.addWidget(self.satisfactory)
        row.addWidget(self.unsatisfactory)
        row.addStretch(1)
        box = QWidget(self)
        box.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(_label("The response was *", self), box)
        self._group.buttonToggled.connect(self._on_changed)
        self.note_edit.setPlaceholderText("What the response said (optional)")
        self._finish("Save response")

    def fields(self) -> dict[str, Any]:
        value = (
            True if self.satisfactory.isChecked() else (False if self.unsatisfactory.isChecked() else None)
        )
        return {"ref": self.escalation.ref, "satisfactory": value}

    def problems(self, day: date) -> list[str]:
        out = super().problems(day)
        if not (self.satisfactory.isChecked() or self.unsatisfactory.isChecked()):
            out.append("Say whether the response was satisfactory.")
        return out

    def clock_note(self, day: date | None) -> str:
        stage = self.escalation.current.stage
        if stage in FORMAL_STAGES:
            return f"This answers stage {stage_label(stage)}, and stops its response clock."
        return no_clock_reason(stage) + "."

    @classmethod
    def ask(
        cls, parent: QWidget | None, child: ChildRecord, escalation: Escalation, *, day: date | None
    ) -> EventRecord | None:
        return cls(parent, child, escalation, day=day).run()


class ResolveDialog(_FollowForm):
    """Resolve an escalation with its outcome (or acknowledge a good practice alert)."""

    EVENT_TYPE = "drp_resolved"
    DATE_LABEL = "Date resolved"

    def __init__(
        self, parent: QWidget | None, child: ChildRecord, escalation: Escalation, *, day: date | None
    ) -> None:
        good = kind_of(escalation) is AlertKind.GOOD_PRACTICE
        super().__init__(parent, child, escalation, "Acknowledge" if good else "Resolve", day)
        self.outcome_edit = QLineEdit("Acknowledged by the manager" if good else "", self)
        self.outcome_edit.setAccessibleName("Outcome")
        self.form.addRow(_label("Outcome *", self), self.outcome_edit)
        self.outcome_edit.textChanged.connect(self._on_changed)
        self._finish("Acknowledge" if good else "Resolve")

    def fields(self) -> dict[str, Any]:
        return {"ref": self.escalation.ref, "outcome": self.outcome_edit.text().strip() or None}

    def problems(self, day: date) -> list[str]:
        out = super().problems(day)
        if not self.outcome_edit.text().strip():
            out.append("Say what the outcome was.")
        return out

    def clock_note(self, day: date | None) -> str:
        if not self.escalation.formal:
            return "An informal escalation has no 20-working-day clock."
        return "This stops the 20-working-day clock and answers the current stage."

    @classmethod
    def ask(
        cls, parent: QWidget | None, child: ChildRecord, escalation: Escalation, *, day: date | None
    ) -> EventRecord | None:
        return cls(parent, child, escalation, day=day).run()


# --- Running the workflow -----------------------------------------------------------------------


class DrpActions(QObject):
    """Runs the DRP forms for a child and saves what they return as one undoable step each.

    Args:
        widget: the parent of the forms and messages.
        db: the database in use (asked each time: it changes after a restore).
        undo_stack: the application's undo stack.
        as_of: the date the forms start with.
        on_changed: called with the child's id after a change, an undo or a redo.
    """

    def __init__(
        self,
        widget: QWidget,
        db: Callable[[], Database],
        undo_stack: QUndoStack,
        as_of: Callable[[], date],
        on_changed: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(widget)
        self._widget = widget
        self._db = db
        self._stack = undo_stack
        self._as_of = as_of
        self._on_changed = on_changed

    def _child(self, child_id: str) -> ChildRecord | None:
        child = store.get_child(self._db(), child_id)
        if child is None:
            prompts.show_error(self._widget, "Not found", f"There is no child with ID {child_id}.")
        return child

    def _escalation(self, child: ChildRecord, ref: str) -> Escalation | None:
        found = next((e for e in open_escalations(child) if e.ref == ref), None)
        if found is None:
            prompts.show_error(self._widget, "Not open", f"Escalation {ref} is not open for {child.name}.")
        return found

    def _save(self, child: ChildRecord, record: EventRecord | None) -> bool:
        if record is None:
            return False
        return save_new_event(self._widget, self._db(), self._stack, child.id, record, self._on_changed)

    def writable(self) -> bool:
        return not self._db().read_only

    def raise_escalation(self, child_id: str, good_practice: bool = False) -> bool:
        child = self._child(child_id)
        if child is None:
            return False
        db = self._db()
        day = self._as_of()
        record = RaiseDialog.ask(
            self._widget,
            child,
            settings=load_settings(db),
            ref=next_ref(db, day),
            day=day,
            good_practice=good_practice,
        )
        return self._save(child, record)

    def escalate(self, child_id: str, ref: str) -> bool:
        child = self._child(child_id)
        escalation = self._escalation(child, ref) if child is not None else None
        if child is None or escalation is None:
            return False
        record = EscalateDialog.ask(
            self._widget, child, escalation, settings=load_settings(self._db()), day=self._as_of()
        )
        return self._save(child, record)

    def record_response(self, child_id: str, ref: str) -> bool:
        child = self._child(child_id)
        escalation = self._escalation(child, ref) if child is not None else None
        if child is None or escalation is None:
            return False
        return self._save(child, ResponseDialog.ask(self._widget, child, escalation, day=self._as_of()))

    def resolve(self, child_id: str, ref: str) -> bool:
        child = self._child(child_id)
        escalation = self._escalation(child, ref) if child is not None else None
        if child is None or escalation is None:
            return False
        return self._save(child, ResolveDialog.ask(self._widget, child, escalation, day=self._as_of()))

    def fill_menu(self, menu: QMenu, child: ChildRecord) -> None:
        """The DRP actions for a child: raise, good practice, and each open escalation's next steps."""
        menu.clear()
        writable = self.writable()
        raise_action = menu.addAction("Raise an escalation…")
        raise_action.triggered.connect(lambda: self.raise_escalation(child.id))
        good = menu.addAction("Record a good practice alert…")
        good.triggered.connect(lambda: self.raise_escalation(child.id, good_practice=True))
        for action in (raise_action, good):
            action.setEnabled(writable)
        escalations = open_escalations(child)
        if escalations:
            menu.addSeparator()
        for e in escalations:
            good_practice = kind_of(e) is AlertKind.GOOD_PRACTICE
            what = "good practice alert" if good_practice else f"stage {stage_label(e.current.stage)}"
            sub = menu.addMenu(f"{e.ref} ({what}, raised {fmt_date(e.raised)})")
            steps: list[tuple[str, Callable[[str, str], bool]]] = []
            if not good_practice:
                steps += [("Escalate…", self.escalate), ("Record a response…", self.record_response)]
            steps.append(("Acknowledge…" if good_practice else "Resolve…", self.resolve))
            for text, step in steps:
                action = sub.addAction(text)
                action.setEnabled(
                    writable and not (step == self.escalate and e.current.stage >= CAFCASS_STAGE)
                )
                action.triggered.connect(lambda _=False, step=step, ref=e.ref: step(child.id, ref))
