"""The Help menu's windows: About, the keyboard shortcuts, and the rules in plain words.

The rules are read from the one rule catalogue (`models.domain.rules.RULES`), never retyped: each
clock as its title says it, what it counts in, when it turns amber, and the basis it rests on.
The shortcuts are read from the actions themselves, so a changed shortcut is shown as it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from importlib.metadata import PackageNotFoundError, version
from typing import Final

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from models.domain.journey import Stage
from models.domain.rules import RULES, Unit
from views.labels import STAGE_TITLES

APP_NAME: Final = "Permanence Tracker"

#: Keys of the lists and fields, which are not menu actions.
LIST_KEYS: Final = (
    ("Enter", "In a list: open the child (or the row's first action)"),
    ("Ctrl+C", "In a list: copy the selected rows, with headers, to paste into a spreadsheet"),
    ("Shift+click, Ctrl+click", "In a list: select many rows"),
    ("Menu key, right-click", "In a list: the row's actions, Copy and Export"),
    ("Down", "In the register's search: move into the results"),
    ("Alt+Down, F4", "In a date field: choose from a calendar"),
    ("Tab", "In a form: the next field (the event's own fields first)"),
)

_UNIT_WORDS: Final = {Unit.WORKING_DAYS: "working days", Unit.DAYS: "calendar days"}


def app_version() -> str:
    try:
        return version("permanence-tracker")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def about_text(database: str) -> str:
    """What About says: the name, the version and the database in use."""
    return (
        f"{APP_NAME} {app_version()}\n\n"
        "Every statutory and local clock of a child's journey, with the reason behind each flag.\n\n"
        f"Database: {database}"
    )


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, then the keys of lists and fields."""
    rows = []
    for action in actions:
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
        if keys:
            rows.append((", ".join(keys), action.text().replace("&", "").rstrip("…")))
    return rows + list(LIST_KEYS)


def rule_rows() -> list[tuple[Stage, str, str, str, str]]:
    """(stage, the clock, counted in, amber, basis) of every rule in the catalogue, in its order."""
    return [
        (
            rule.stage,
            rule.title,
            _UNIT_WORDS[rule.unit],
            f"{rule.amber} {_UNIT_WORDS[rule.unit]} before it is due" if rule.amber else "—",
            rule.basis,
        )
        for rule in RULES.values()
    ]


def rules_html() -> str:
    parts = [
        "<p>Each clock the tracker works out, as the rule catalogue holds it. Local standards "
        "(Edit ▸ Settings) may change a period or an amber window.</p>"
    ]
    stage: Stage | None = None
    for row_stage, clock, unit, amber, basis in rule_rows():
        if row_stage is not stage:
            if stage is not None:
                parts.append("</table>")
            stage = row_stage
            parts.append(
                f"<h3>{escape(STAGE_TITLES[stage])}</h3>"
                "<table width='100%' cellpadding='4' cellspacing='0' border='1'>"
                "<tr><th align='left' width='36%'>The clock</th><th align='left' width='14%'>Counted in</th>"
                "<th align='left' width='22%'>Amber</th><th align='left' width='28%'>Basis</th></tr>"
            )
        parts.append(
            f"<tr><td>{escape(clock)}</td><td>{escape(unit)}</td><td>{escape(amber)}</td>"
            f"<td>{escape(basis)}</td></tr>"
        )
    parts.append("</table>")
    return "".join(parts)


def shortcuts_html(actions: Iterable[QAction]) -> str:
    rows = "".join(
        f"<tr><td><b>{escape(keys)}</b></td><td>{escape(what)}</td></tr>"
        for keys, what in shortcut_rows(actions)
    )
    return f"<table cellpadding='4' cellspacing='0'>{rows}</table>"


class HelpText(QDialog):
    """A window of help text with a Close button (not modal: it can stay open beside the work)."""

    def __init__(self, parent: QWidget | None, title: str, html: str, object_name: str) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setWindowTitle(title)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(html)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(820, 560)  # fits a 1366 x 768 screen with its title bar

    def plain_text(self) -> str:
        return self.browser.toPlainText()


def show_rules(parent: QWidget | None) -> HelpText:
    dialog = HelpText(parent, "The rules in plain words", rules_html(), "rulesHelp")
    dialog.show()
    return dialog


def show_shortcuts(parent: QWidget | None, actions: Iterable[QAction]) -> HelpText:
    dialog = HelpText(parent, "Keyboard shortcuts", shortcuts_html(actions), "shortcutsHelp")
    dialog.resize(620, 520)
    dialog.show()
    return dialog
