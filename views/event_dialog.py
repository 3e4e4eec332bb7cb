"""The event form: one form per event type, generated from `models.domain.journey.EVENT_TYPES`.

Every change re-runs the same checks as an import (`parse_event`, then the whole chronology with
`validate_event_change`), and each problem is shown next to the field it concerns, or in the
message area under the form; OK stays disabled until the event can be saved. The dialog decides
nothing itself: the rules live in `models.domain.records`, the wording of values in `models.screens.child_view`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from html import escape
from typing import Any, Final

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from models.domain.journey import DRP_STAGE_NAMES, EVENT_TYPES, EventType, FieldSpec, Kind, Stage
from models.domain.records import ChildRecord, EventRecord, Issue, issue_sentence, parse_event
from models.screens.child_view import (
    DrpRef,
    choice_label,
    drp_refs,
    drp_stage_label,
    extension_window,
    sentence,
    text_suggestions,
)
from models.storage import store
from views.date_edit import DateEdit
from views.field_widgets import FieldMessage, TriStateBool, with_message
from views.forms import ask_until_saved
from views.labels import STAGE_TITLES, fmt_date

#: The role of a type chooser item holding the event type's name.
TYPE_ROLE: Final = Qt.ItemDataRole.UserRole + 1

#: What the event's own date means, where "Date" alone would be unclear.
DATE_LABELS: Final = {
    "extension": "Date granted",
    "final_order": "Date of the order",
    "proceedings_issued": "Date issued",
    "drp_raised": "Date raised",
}

#: DRP events that refer to an escalation raised earlier (their ref is chosen, not typed anew).
_REF_FOLLOWERS: Final = frozenset({"drp_escalated", "drp_response", "drp_resolved"})

_REQUIRED = "Required"


# --- One editor per field kind ----------------------------------------------------------------


class _Editor:
    """Adapts one widget to a journey-file value: read, write, notice changes."""

    widget: QWidget

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def connect(self, callback: Callable[[], None]) -> None:
        raise NotImplementedError

    def error(self) -> str | None:
        """Why the input is not a value at all (a date that does not exist), if it is not."""
        return None


class _BoolEditor(_Editor):
    def __init__(self) -> None:
        self.widget = self.tri = TriStateBool()

    def value(self) -> Any:
        return self.tri.value()

    def set_value(self, value: Any) -> None:
        self.tri.set_value(value if isinstance(value, bool) else None)

    def connect(self, callback: Callable[[], None]) -> None:
        self.tri.value_changed.connect(lambda _value: callback())


class _ChoiceEditor(_Editor):
    """A fixed list of (label, value) with a blank first entry unless a value is required."""

    def __init__(self, choices: list[tuple[str, Any]], required: bool) -> None:
        self.widget = self.combo = QComboBox()
        self.combo.addItem("—" if not required else "Choose…", None)
        for label, value in choices:
            self.combo.addItem(label, value)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if value is not None else 0
        self.combo.setCurrentIndex(max(index, 0))

    def connect(self, callback: Callable[[], None]) -> None:
        self.combo.currentIndexChanged.connect(lambda _index: callback())


class _IntEditor(_Editor):
    """A spin box whose lowest position ("—") means not recorded, so a number is always chosen."""

    def __init__(self, spec: FieldSpec) -> None:
        self.widget = self.spin = QSpinBox()
        low = spec.minimum if spec.minimum is not None else 0
        self._none = low - 1
        self.spin.setRange(self._none, spec.maximum if spec.maximum is not None else 9999)
        self.spin.setSpecialValueText("—")
        self.spin.setValue(self._none)

    def value(self) -> Any:
        return None if self.spin.value() == self._none else self.spin.value()

    def set_value(self, value: Any) -> None:
        self.spin.setValue(value if isinstance(value, int) else self._none)

    def connect(self, callback: Callable[[], None]) -> None:
        self.spin.valueChanged.connect(lambda _value: callback())


class _DateEditor(_Editor):
    def __init__(self) -> None:
        self.widget = self.edit = DateEdit(show_error=False)

    def value(self) -> Any:
        value = self.edit.value()
        return value.isoformat() if value is not None else None

    def set_value(self, value: Any) -> None:
        self.edit.set_value(value if isinstance(value, date) else None)

    def connect(self, callback: Callable[[], None]) -> None:
        self.edit.date_changed.connect(lambda _value: callback())

    def error(self) -> str | None:
        return self.edit.error()


class _TextEditor(_Editor):
    def __init__(self) -> None:
        self.widget = self.line = QLineEdit()

    def value(self) -> Any:
        return self.line.text().strip() or None

    def set_value(self, value: Any) -> None:
        self.line.setText("" if value is None else str(value))

    def connect(self, callback: Callable[[], None]) -> None:
        self.line.textChanged.connect(lambda _text: callback())


class _SuggestEditor(_Editor):
    """Free text with the usual values offered (shown by label, stored by value)."""

    def __init__(self, suggestions: list[tuple[str, str]]) -> None:
        self.widget = self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for value, label in suggestions:
            self.combo.addItem(label, value)
        self.combo.setCurrentIndex(-1)

    def value(self) -> Any:
        text = self.combo.currentText().strip()
        index = self.combo.findText(text)
        if index >= 0:
            return self.combo.itemData(index)
        return text or None

    def set_value(self, value: Any) -> None:
        index = self.combo.findData(value) if value is not None else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)
        else:
            self.combo.setEditText("" if value is None else str(value))

    def connect(self, callback: Callable[[], None]) -> None:
        self.combo.currentTextChanged.connect(lambda _text: callback())


class _RefEditor(_Editor):
    """The DRP reference of a later DRP event: the child's raised escalations, open ones first."""

    def __init__(self, refs: list[DrpRef]) -> None:
        self.widget = self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.refs = {r.ref: r for r in refs}
        for r in refs:
            self.combo.addItem(r.ref)
            self.combo.setItemData(self.combo.count() - 1, r.description, Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(0 if refs else -1)
        line = self.combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("No escalation raised yet" if not refs else "Escalation reference")

    def value(self) -> Any:
        return self.combo.currentText().strip() or None

    def set_value(self, value: Any) -> None:
        self.combo.setEditText("" if value is None else str(value))

    def connect(self, callback: Callable[[], None]) -> None:
        self.combo.currentTextChanged.connect(lambda _text: callback())


def _editor_for(
    event_type: EventType,
    spec: FieldSpec,
    child: ChildRecord,
    existing: EventRecord | None,
    drp_categories: Sequence[str] | None = None,
) -> _Editor:
    if spec.name == "ref" and event_type.name in _REF_FOLLOWERS:
        return _RefEditor(drp_refs(child, exclude_event=existing.id if existing else None))
    if spec.name == "stage" and spec.kind is Kind.INT and event_type.name.startswith("drp_"):
        low, high = spec.minimum or 0, spec.maximum if spec.maximum is not None else 5
        stages = [(drp_stage_label(n), n) for n in sorted(DRP_STAGE_NAMES) if low <= n <= high]
        return _ChoiceEditor(stages, spec.required)
    if spec.kind is Kind.BOOL:
        return _BoolEditor()
    if spec.kind is Kind.ENUM:
        return _ChoiceEditor([(choice_label(spec.name, c), c) for c in spec.choices], spec.required)
    if spec.kind is Kind.INT:
        return _IntEditor(spec)
    if spec.kind is Kind.DATE:
        return _DateEditor()
    suggestions = text_suggestions(event_type.name, spec.name, drp_categories)
    return _SuggestEditor(suggestions) if suggestions else _TextEditor()


class _TypeForm(QWidget):
    """The type-specific fields of one event type, each with its message line."""

    def __init__(
        self,
        event_type: EventType,
        child: ChildRecord,
        existing: EventRecord | None,
        drp_categories: Sequence[str] | None = None,
    ) -> None:
        super().__init__()
        self.event_type = event_type
        self.editors: dict[str, _Editor] = {}
        self.messages: dict[str, FieldMessage] = {}
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in event_type.fields:
            editor = _editor_for(event_type, spec, child, existing, drp_categories)
            editor.widget.setAccessibleName(spec.label)
            box, message = with_message(editor.widget, self)
            layout.addRow(_form_label(spec.label + (" *" if spec.required else ""), self), box)
            self.editors[spec.name] = editor
            self.messages[spec.name] = message
        if not event_type.fields:
            note = QLabel("No further details for this event.", self)
            note.setStyleSheet("color: #5f6368;")
            layout.addRow(_form_label("", self), note)
        if existing is not None and existing.type == event_type.name:
            for name, editor in self.editors.items():
                editor.set_value(existing.fields.get(name))


# --- The dialog -------------------------------------------------------------------------------


class EventDialog(QDialog):
    """Record a new event for a child, or edit one; `ask()` runs it and returns the record.

    Args:
        child: the child with its whole chronology (the checks need every event).
        existing: the event being edited (its type is then fixed), or None to add one.
        event_type: the type to start with when adding (still changeable).
        drp_categories: the authority's escalation categories, offered for a DRP raise.
    """

    def __init__(
        self,
        parent: QWidget | None,
        child: ChildRecord,
        existing: EventRecord | None = None,
        event_type: str | None = None,
        drp_categories: Sequence[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.child = child
        self.drp_categories = drp_categories
        self.existing = existing
        self.event_id = existing.id if existing is not None else store.new_event_id(child)
        self._record: EventRecord | None = None
        self._message_plain = ""
        self._forms: dict[str, _TypeForm] = {}
        self.setWindowTitle(
            f"Edit event – {child.name}" if existing is not None else f"Record an event – {child.name}"
        )
        self.setMinimumWidth(560)

        heading = QLabel(f"<b>{escape(child.name)}</b> ({escape(child.id)})", self)

        # The type: chosen by stage when adding, fixed when editing.
        self.type_combo: QComboBox | None = None
        if existing is None:
            self.type_combo = QComboBox(self)
            self.type_combo.setModel(_type_model(self.type_combo))
            self.type_combo.setCurrentIndex(-1)
            self.type_combo.setPlaceholderText("Choose the type of event…")
            self.type_combo.setMaxVisibleItems(24)
            self.type_combo.setAccessibleName("Type of event")
            type_widget: QWidget = self.type_combo
        else:
            etype = EVENT_TYPES[existing.type]
            type_widget = QLabel(
                f"{etype.label} <span style='color:#5f6368'>({STAGE_TITLES[etype.stage]})</span>"
            )
        type_box, self.type_message = with_message(type_widget, self)

        self.date_edit = DateEdit(self, show_error=False)
        self.date_edit.line_edit.setAccessibleName("Date of the event")
        date_box, self.date_message = with_message(self.date_edit, self)

        top = QFormLayout()
        top.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        top.addRow(_form_label("Event *", self), type_box)
        self.date_label = _form_label("Date *", self)
        top.addRow(self.date_label, date_box)

        self.stack = QStackedWidget(self)
        self._empty_form = QWidget(self.stack)
        self.stack.addWidget(self._empty_form)

        self.note_edit = QPlainTextEdit(self)
        self.note_edit.setPlaceholderText("Optional")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.note_edit.fontMetrics().lineSpacing() * 3 + 14)
        self.recorded_by_edit = QLineEdit(self)
        bottom = QFormLayout()
        bottom.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        bottom.addRow(_form_label("Note", self), self.note_edit)
        bottom.addRow(_form_label("Recorded by", self), self.recorded_by_edit)

        self.message_area = QLabel(self)
        self.message_area.setObjectName("messageArea")
        self.message_area.setWordWrap(True)
        self.message_area.setTextFormat(Qt.TextFormat.RichText)
        self.message_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.message_area.setMargin(6)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        self.ok_button: QPushButton = ok
        self.ok_button.setText("Save event")

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(top)
        layout.addWidget(self.stack)
        layout.addLayout(bottom)
        layout.addWidget(self.message_area)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        if existing is not None:
            self.date_edit.set_value(existing.date)
            self.note_edit.setPlainText(existing.note or "")
            self.recorded_by_edit.setText(existing.recorded_by or "")
            self._show_form(existing.type)
        else:
            self.recorded_by_edit.setText(store.current_user())
            if event_type is not None:
                self.set_event_type(event_type)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        if self.type_combo is not None:
            self.type_combo.currentIndexChanged.connect(self._on_type_combo_current_index_changed)
        self.date_edit.date_changed.connect(self._on_date_edit_date_changed)
        self.note_edit.textChanged.connect(self.revalidate)
        self.recorded_by_edit.textChanged.connect(self.revalidate)
        self.revalidate()
        if self.type_combo is not None and event_type is None:
            self.type_combo.setFocus()
        else:
            self.first_field().setFocus()

    # --- running it -----------------------------------------------------------------------------

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        child: ChildRecord,
        existing: EventRecord | None = None,
        event_type: str | None = None,
        save: Callable[[EventRecord], bool] | None = None,
        drp_categories: Sequence[str] | None = None,
    ) -> EventRecord | None:
        """Run the form modally; the valid event, or None when cancelled.

        With `save`, the form stays open until `save(event)` succeeds (returns True): a save that
        fails (and says why) shows the form again as the person left it, so nothing typed is lost.
        """
        return ask_until_saved(cls(parent, child, existing, event_type, drp_categories), save)

    def record(self) -> EventRecord | None:
        """The event as entered, when it passes every check; None while anything is wrong."""
        return self._record

    def accept(self) -> None:
        if not self.ok_button.isEnabled():
            return
        super().accept()

    # --- reading the form -------------------------------------------------------------------------

    def event_type(self) -> str | None:
        if self.existing is not None:
            return self.existing.type
        assert self.type_combo is not None
        value = self.type_combo.currentData(TYPE_ROLE)
        return value if isinstance(value, str) else None

    def set_event_type(self, name: str) -> None:
        """Choose the type (when adding)."""
        if self.type_combo is None:
            raise ValueError("the type of an existing event cannot be changed")
        model = self.type_combo.model()
        for row in range(model.rowCount()):
            if model.index(row, 0).data(TYPE_ROLE) == name:
                self.type_combo.setCurrentIndex(row)
                self._show_form(name)
                return
        raise KeyError(name)

    def form(self) -> _TypeForm | None:
        name = self.event_type()
        return self._forms.get(name) if name else None

    def field_editor(self, name: str) -> QWidget:
        """The widget that edits one type-specific field of the current type (for tests and focus)."""
        form = self.form()
        if form is None or name not in form.editors:
            raise KeyError(name)
        editor = form.editors[name]
        return editor.tri if isinstance(editor, _BoolEditor) else editor.widget

    def field_message(self, name: str) -> str:
        """The message shown next to a field ('date', 'type' or a type-specific field)."""
        if name == "date":
            return self.date_message.text() if self.date_message.kind else ""
        if name == "type":
            return self.type_message.text() if self.type_message.kind else ""
        form = self.form()
        message = form.messages.get(name) if form is not None else None
        return message.text() if message is not None and message.kind else ""

    def message_text(self) -> str:
        """The message area as plain text."""
        return self._message_plain

    def _show_form(self, name: str) -> None:
        form = self._forms.get(name)
        if form is None:
            form = _TypeForm(EVENT_TYPES[name], self.child, self.existing, self.drp_categories)
            for editor in form.editors.values():
                editor.connect(self.revalidate)
            ref = form.editors.get("ref")
            if isinstance(ref, _RefEditor) and name == "drp_escalated":
                ref.connect(partial(self._suggest_next_stage, form))
                self._suggest_next_stage(form)
            self._forms[name] = form
            self.stack.addWidget(form)
        self._show_page(form)
        self._chain_tab_order(form)
        self.date_label.setText(DATE_LABELS.get(name, "Date") + " *")

    def _chain_tab_order(self, form: _TypeForm) -> None:
        """Tab goes through the type's own fields first (they are what the person came to fill
        in), then the date, the note, who recorded it and the buttons."""
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        widgets: list[QWidget | None] = [
            self.type_combo,
            *(editor.widget for editor in form.editors.values()),
            self.date_edit,
            self.note_edit,
            self.recorded_by_edit,
            self.ok_button,
            cancel,
        ]
        # Qt ignores an order given to a widget that hands its focus on, and Tab from a focus
        # proxy carries on after the widget it stands for: chain the widgets that take the focus,
        # and let the field boxes (`with_message`) stand for nobody.
        chain = [target for w in widgets if w is not None for target in _focus_targets(w)]
        for target in chain:
            holder = target.parentWidget()
            while holder is not None and holder is not self:
                proxy = holder.focusProxy()
                if proxy is not None and holder.isAncestorOf(proxy) and not isinstance(holder, DateEdit):
                    holder.setFocusProxy(None)  # type: ignore[arg-type]  # None clears it (Qt's docs)
                holder = holder.parentWidget()
        for before, after in zip(chain, chain[1:] + chain[:1], strict=True):  # a ring, back to the type
            QWidget.setTabOrder(before, after)

    def first_field(self) -> QWidget:
        """Where typing starts: the type's first field, else the date."""
        form = self.form()
        if form is not None and form.editors:
            return next(iter(form.editors.values())).widget
        return self.date_edit

    def _show_page(self, page: QWidget) -> None:
        """Show one type's fields, sized to them alone (a stack is as tall as its tallest page)."""
        for other in (self._empty_form, *self._forms.values()):
            policy = QSizePolicy.Policy.Preferred if other is page else QSizePolicy.Policy.Ignored
            other.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(page)
        if self.isVisible():
            self.adjustSize()

    def _suggest_next_stage(self, form: _TypeForm) -> None:
        """An escalation usually goes one stage up from where its reference stands."""
        ref_editor = form.editors.get("ref")
        stage_editor = form.editors.get("stage")
        if not isinstance(ref_editor, _RefEditor) or stage_editor is None or stage_editor.value() is not None:
            return
        ref = ref_editor.refs.get(ref_editor.value() or "")
        if ref is not None and ref.stage is not None and ref.stage < max(DRP_STAGE_NAMES):
            stage_editor.set_value(ref.stage + 1)

    def _on_type_combo_current_index_changed(self, _index: int) -> None:
        name = self.event_type()
        if name is None:
            self._show_page(self._empty_form)
        else:
            self._show_form(name)
        self.revalidate()

    def _on_date_edit_date_changed(self, _value: object) -> None:
        self.revalidate()

    def _raw(self, form: _TypeForm, day: date) -> dict[str, Any]:
        """The event in journey-file shape, as `parse_event` reads it."""
        raw: dict[str, Any] = {}
        if self.existing is not None:
            raw.update(self.existing.extra)  # unknown keys of an imported event are kept
        raw.update(id=self.event_id, type=form.event_type.name, date=day.isoformat())
        for name, editor in form.editors.items():
            value = editor.value()
            if value is not None:
                raw[name] = value
        note = self.note_edit.toPlainText().strip()
        recorded_by = self.recorded_by_edit.text().strip()
        if note:
            raw["note"] = note
        if recorded_by:
            raw["recorded_by"] = recorded_by
        return raw

    # --- checking ----------------------------------------------------------------------------------

    def revalidate(self) -> None:
        """Run every check on the form as it stands and show the outcome in place."""
        name = self.event_type()
        form = self._forms.get(name) if name else None
        errors: dict[str, list[str]] = {}
        hints: dict[str, str] = {}
        general: list[str] = []
        record: EventRecord | None = None

        if form is None:
            hints["type"] = "Choose the type of event"
        day = self.date_edit.value()
        date_error = self.date_edit.error()
        if date_error:
            errors.setdefault("date", []).append(date_error)
        elif day is None:
            hints["date"] = _REQUIRED
        if form is not None:
            for field_name, editor in form.editors.items():
                spec = form.event_type.field(field_name)
                problem = editor.error()
                if problem:
                    errors.setdefault(field_name, []).append(problem)
                elif spec is not None and spec.required and editor.value() is None:
                    hints[field_name] = _REQUIRED

        if form is not None and day is not None and not errors and not hints:
            parsed, issues = parse_event(self._raw(form, day), self.child.id)
            if parsed is not None:
                issues = store.validate_event_change(self.child, parsed, replacing=self.event_id)
            self._route(issues, form, errors, general)
            if not issues:
                record = parsed

        self._record = record
        self._show_messages(form, errors, hints, general)
        self._show_notes(form, day)
        unchanged = record is not None and record == self.existing
        if unchanged:
            self._set_message_area("", ["Nothing has been changed yet."], error=False)
        self.ok_button.setEnabled(record is not None and not unchanged)
        # Once the shown and hidden messages are laid out (a posted layout request).
        QTimer.singleShot(0, self, self._fit_height)

    def _fit_height(self) -> None:
        """Grow to show every message in full: a long one wraps onto more lines than the form had."""
        layout = self.layout()
        if not self.isVisible() or layout is None:
            return
        layout.activate()
        needed = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if needed > self.height():
            self.resize(self.width(), needed)

    def _route(
        self, issues: list[Issue], form: _TypeForm, errors: dict[str, list[str]], general: list[str]
    ) -> None:
        """Put each problem next to its field; problems elsewhere in the chronology go below."""
        for issue in issues:
            reason = issue_sentence(issue, self.child, self.event_id)
            if issue.event_id not in (self.event_id, None):
                general.append(reason)
            elif issue.field in ("date", "type") or (issue.field is not None and issue.field in form.editors):
                errors.setdefault(issue.field, []).append(reason)
            else:
                general.append(reason)

    def _show_messages(
        self,
        form: _TypeForm | None,
        errors: dict[str, list[str]],
        hints: dict[str, str],
        general: list[str],
    ) -> None:
        targets: dict[str, FieldMessage] = {"type": self.type_message, "date": self.date_message}
        if form is not None:
            targets.update(form.messages)
        for field_name, message in targets.items():
            if field_name in errors:
                message.show_error("\n".join(errors[field_name]))
            elif field_name in hints:
                message.show_hint(hints[field_name])
            else:
                message.clear_message()

        if general or errors:
            lines = general or ["Correct the field marked in red to save this event."]
            title = "This event cannot be saved yet:" if general else ""
            self._set_message_area(title, lines, error=True)
        elif hints:
            missing = [self._field_title(form, n) for n in hints]
            self._set_message_area("", [f"To save, fill in: {', '.join(missing)}."], error=False)
        else:
            self._set_message_area("", ["Ready to save."], error=False, ok=True)

    def _field_title(self, form: _TypeForm | None, name: str) -> str:
        if name == "type":
            return "the type of event"
        if name == "date":
            return self.date_label.text().rstrip(" *").lower()
        spec = form.event_type.field(name) if form is not None else None
        return spec.label.lower() if spec is not None else name

    def _set_message_area(self, title: str, lines: list[str], *, error: bool, ok: bool = False) -> None:
        colour = "#b3261e" if error else ("#0f5132" if ok else "#3c4043")
        background = "#fdecea" if error else ("#e8f3ee" if ok else "#f1f3f4")
        body = "".join(f"<li>{escape(line)}</li>" for line in lines) if len(lines) > 1 or title else ""
        html = (f"<b>{escape(title)}</b>" if title else "") + (
            f"<ul style='margin:0'>{body}</ul>" if body else escape(lines[0])
        )
        self.message_area.setText(html)
        self.message_area.setStyleSheet(
            f"QLabel#messageArea {{ color: {colour}; background: {background}; border: 1px solid {colour}; border-radius: 3px; }}"
        )
        self._message_plain = "\n".join(([title] if title else []) + lines)

    def _show_notes(self, form: _TypeForm | None, day: date | None) -> None:
        """Helpful facts under fields that have no problem: the latest allowed extension, a DRP ref's state."""
        if form is None:
            return
        until = form.messages.get("until")
        if form.event_type.name == "extension" and until is not None and not until.kind and day is not None:
            window = extension_window(self.child, day, replacing=self.event_id)
            if window is not None:
                until.show_note(
                    f"Latest allowed: {fmt_date(window.latest_allowed)} (8 weeks after the later of the "
                    f"current end {fmt_date(window.current_end)} and the date granted)"
                )
        ref_editor = form.editors.get("ref")
        ref_message = form.messages.get("ref")
        if isinstance(ref_editor, _RefEditor) and ref_message is not None and not ref_message.kind:
            ref = ref_editor.refs.get(ref_editor.value() or "")
            if ref is not None:
                ref_message.show_note(sentence(ref.description))


def _focus_targets(widget: QWidget) -> list[QWidget]:
    """The widgets that take the focus for `widget`: its focus proxy, or its own buttons."""
    proxy = widget.focusProxy()
    while proxy is not None:
        widget, proxy = proxy, proxy.focusProxy()
    if isinstance(widget, TriStateBool):
        return [widget.yes, widget.no, widget.unrecorded]
    return [widget]


def _form_label(text: str, parent: QWidget) -> QLabel:
    """A form label as wide as the widest label of any event form, so the fields line up
    whichever type is shown."""
    label = QLabel(text, parent)
    metrics = label.fontMetrics()
    texts = [f"{spec.label} *" for t in EVENT_TYPES.values() for spec in t.fields]
    texts += [f"{text} *" for text in DATE_LABELS.values()] + ["Recorded by"]
    label.setMinimumWidth(max(metrics.horizontalAdvance(t) for t in texts) + 6)
    return label


def _type_model(parent: QComboBox) -> QStandardItemModel:
    """Event types under a heading per stage; headings cannot be chosen."""
    model = QStandardItemModel(parent)
    bold = QFont()
    bold.setBold(True)
    for stage in Stage:
        heading = QStandardItem(STAGE_TITLES[stage])
        heading.setFlags(Qt.ItemFlag.NoItemFlags)
        heading.setFont(bold)
        model.appendRow(heading)
        for etype in EVENT_TYPES.values():
            if etype.stage is stage:
                item = QStandardItem(etype.label)
                item.setData(etype.name, TYPE_ROLE)
                item.setToolTip(f"{etype.label} ({STAGE_TITLES[stage]})")
                model.appendRow(item)
    return model
