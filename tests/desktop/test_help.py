"""The Help menu: About (version, database), the keyboard shortcuts and the rules in plain words."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version

import pytest
from pytestqt.qtbot import QtBot

from desktop.actions import MENUS, ActionId
from desktop.main_window import MainWindow
from models.domain.rules import RULES
from models.storage.db import Database
from views import help_dialogs, prompts
from views.help_dialogs import HelpText

Start = Callable[..., MainWindow]


def test_the_help_menu(start: Start, example_db: Database) -> None:
    window = start(example_db.path)
    assert MENUS["&Help"] == (ActionId.SHORTCUTS, ActionId.RULES_HELP, None, ActionId.ABOUT)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-1] == "&Help"


def test_about_names_the_version_and_the_database(
    start: Start, example_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = start(example_db.path)
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(prompts, "show_about", lambda parent, title, text: said.append((title, text)))
    window.action(ActionId.ABOUT).trigger()
    assert len(said) == 1
    title, text = said[0]
    assert title == "About Permanence Tracker"
    assert version("permanence-tracker") in text
    assert f"Database: {example_db.path}" in text


def test_the_shortcuts_are_read_from_the_actions(qtbot: QtBot, start: Start, example_db: Database) -> None:
    window = start(example_db.path)
    window.action(ActionId.SHORTCUTS).trigger()
    dialog = window.findChild(HelpText, "shortcutsHelp")
    assert dialog is not None and dialog.isVisible()
    text = dialog.plain_text()
    for action_id, words in ((ActionId.NEW_CHILD, "New child"), (ActionId.FIND, "Find a child")):
        keys = window.action(action_id).shortcut().toString()
        assert keys and keys in text and words in text
    assert "Ctrl+C" in text and "copy the selected rows" in text
    dialog.close()


def test_the_rules_in_plain_words_come_from_the_catalogue(
    qtbot: QtBot, start: Start, example_db: Database
) -> None:
    window = start(example_db.path)
    window.action(ActionId.RULES_HELP).trigger()
    dialog = window.findChild(HelpText, "rulesHelp")
    assert dialog is not None
    text = dialog.plain_text()
    rows = help_dialogs.rule_rows()
    assert len(rows) == len(RULES)
    for rule in RULES.values():
        assert rule.title in text and rule.basis in text
    # Each clock's unit and amber window, in words.
    icpc = next(r for r in rows if r[1] == RULES["cp.icpc_15wd"].title)
    assert icpc[2:] == ("working days", "5 working days before it is due", "Working Together 2023")
    dialog.close()
