"""Every menu and toolbar action, declared once: an `ActionId` and one factory per action.

A factory sets text, shortcut, tip and enabled state; `create_actions` builds them all and
connects each to its handler. Menus, toolbars and tests refer to actions by id, never by text.
`PRINT` opens the reports: pick one, its period and reviewing officer, then preview, print or save.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Final

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence


class ActionId(StrEnum):
    NEW_CHILD = "new_child"
    ADD_EVENT = "add_event"
    FIND = "find"
    PRINT = "print"
    UNDO = "undo"
    REDO = "redo"
    IMPORT_JOURNEY = "import_journey"
    EXPORT_JOURNEY = "export_journey"
    LOAD_DEMO = "load_demo"
    SETTINGS = "settings"
    SHOW_TODAY = "show_today"
    SHOW_REGISTER = "show_register"
    BACK_TO_TODAY = "back_to_today"
    QUIT = "quit"
    # Data safety (issue 6).
    EXPORT_REGISTER = "export_register"
    SECURITY = "security"
    LOCK = "lock"
    SHOW_BACKUPS = "show_backups"
    SHOW_AUDIT = "show_audit"
    # Court and escalations (issue 5).
    SHOW_COURT = "show_court"
    SHOW_ESCALATIONS = "show_escalations"
    # The council's files in and out (issue 17).
    EXPORT_ANNEX_A = "export_annex_a"
    # Help (issue 16).
    SHORTCUTS = "shortcuts"
    RULES_HELP = "rules_help"
    ABOUT = "about"


Factory = Callable[[QObject], QAction]
_FACTORIES: dict[ActionId, Factory] = {}


def _factory(action_id: ActionId) -> Callable[[Factory], Factory]:
    def register(fn: Factory) -> Factory:
        _FACTORIES[action_id] = fn
        return fn

    return register


def _action(parent: QObject, action_id: ActionId, text: str, tip: str, *keys: QKeySequence) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(f"action_{action_id.value}")
    action.setToolTip(
        tip + (f" ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})" if keys else "")
    )
    action.setStatusTip(tip)
    if keys:
        action.setShortcuts(list(keys))
    return action


@_factory(ActionId.NEW_CHILD)
def _new_child(parent: QObject) -> QAction:
    return _action(parent, ActionId.NEW_CHILD, "&New child…", "Add a child's record", QKeySequence("Ctrl+N"))


@_factory(ActionId.ADD_EVENT)
def _add_event(parent: QObject) -> QAction:
    action = _action(
        parent,
        ActionId.ADD_EVENT,
        "Add &event…",
        "Record an event for the open child",
        QKeySequence("Ctrl+E"),
    )
    action.setEnabled(False)  # until a child is open
    return action


@_factory(ActionId.FIND)
def _find(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.FIND,
        "&Find a child",
        "Search the children register by name or ID",
        QKeySequence("Ctrl+F"),
    )


@_factory(ActionId.PRINT)
def _print(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.PRINT,
        "&Reports and printing…",
        "Preview, print or save a report: tracker sheets, DRP, court, PLO, permanence, a chronology",
        QKeySequence(QKeySequence.StandardKey.Print),
    )


@_factory(ActionId.UNDO)
def _undo(parent: QObject) -> QAction:
    action = _action(parent, ActionId.UNDO, "&Undo", "Undo the last change", QKeySequence("Ctrl+Z"))
    action.setEnabled(False)
    return action


@_factory(ActionId.REDO)
def _redo(parent: QObject) -> QAction:
    action = _action(
        parent,
        ActionId.REDO,
        "&Redo",
        "Redo the change undone last",
        QKeySequence("Ctrl+Shift+Z"),
        QKeySequence("Ctrl+Y"),
    )
    action.setEnabled(False)
    return action


@_factory(ActionId.IMPORT_JOURNEY)
def _import_journey(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.IMPORT_JOURNEY,
        "&Import…",
        "Import Annex A, SSDA903, CIN census, spreadsheets or journey files, with a preview",
        QKeySequence("Ctrl+I"),
    )


@_factory(ActionId.EXPORT_ANNEX_A)
def _export_annex_a(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.EXPORT_ANNEX_A,
        "Export &Annex A…",
        "Ofsted Annex A lists 5, 7 and 8 as an Excel workbook",
    )


@_factory(ActionId.EXPORT_JOURNEY)
def _export_journey(parent: QObject) -> QAction:
    return _action(
        parent, ActionId.EXPORT_JOURNEY, "&Export journey file…", "Export every child to a journey file"
    )


@_factory(ActionId.LOAD_DEMO)
def _load_demo(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.LOAD_DEMO,
        "Load &demonstration data…",
        "Add fictional children to try the tracker out",
    )


@_factory(ActionId.SETTINGS)
def _settings(parent: QObject) -> QAction:
    action = _action(
        parent,
        ActionId.SETTINGS,
        "&Settings…",
        "Local standards, amber windows, closure days, authority name and marking",
        QKeySequence("Ctrl+,"),
    )
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    return action


@_factory(ActionId.SHOW_TODAY)
def _show_today(parent: QObject) -> QAction:
    return _action(
        parent, ActionId.SHOW_TODAY, "&Today", "What is overdue and due soon", QKeySequence("Ctrl+1")
    )


@_factory(ActionId.SHOW_REGISTER)
def _show_register(parent: QObject) -> QAction:
    return _action(
        parent, ActionId.SHOW_REGISTER, "&Children", "The register of every child", QKeySequence("Ctrl+2")
    )


@_factory(ActionId.BACK_TO_TODAY)
def _back_to_today(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.BACK_TO_TODAY,
        "&Back to today",
        "Show the position as at today",
        QKeySequence("Ctrl+T"),
    )


@_factory(ActionId.QUIT)
def _quit(parent: QObject) -> QAction:
    action = _action(parent, ActionId.QUIT, "&Quit", "Close the tracker", QKeySequence("Ctrl+Q"))
    action.setMenuRole(QAction.MenuRole.QuitRole)
    return action


@_factory(ActionId.EXPORT_REGISTER)
def _export_register(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.EXPORT_REGISTER,
        "Export &register to CSV…",
        "Write the children shown in the register to a spreadsheet file (recorded in the audit log)",
    )


@_factory(ActionId.SECURITY)
def _security(parent: QObject) -> QAction:
    return _action(parent, ActionId.SECURITY, "Se&curity…", "The database's passphrase and the idle lock")


@_factory(ActionId.LOCK)
def _lock(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.LOCK,
        "&Lock now",
        "Hide the records until the passphrase is typed again",
        QKeySequence("Ctrl+L"),
    )


@_factory(ActionId.SHOW_BACKUPS)
def _show_backups(parent: QObject) -> QAction:
    return _action(parent, ActionId.SHOW_BACKUPS, "&Backups", "The backups of the database; restore one")


@_factory(ActionId.SHOW_AUDIT)
def _show_audit(parent: QObject) -> QAction:
    return _action(
        parent, ActionId.SHOW_AUDIT, "&Audit log", "Who changed, exported or printed what, and when"
    )


@_factory(ActionId.SHOW_COURT)
def _show_court(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.SHOW_COURT,
        "C&ourt",
        "Every child in care proceedings against the 26 weeks",
        QKeySequence("Ctrl+3"),
    )


@_factory(ActionId.SHOW_ESCALATIONS)
def _show_escalations(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.SHOW_ESCALATIONS,
        "&Escalations (DRP)",
        "The register of IRO and CP chair escalations, with their clocks",
        QKeySequence("Ctrl+4"),
    )


@_factory(ActionId.SHORTCUTS)
def _shortcuts(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.SHORTCUTS,
        "&Keyboard shortcuts",
        "Every key the tracker answers to",
        QKeySequence(QKeySequence.StandardKey.HelpContents),
    )


@_factory(ActionId.RULES_HELP)
def _rules_help(parent: QObject) -> QAction:
    return _action(
        parent,
        ActionId.RULES_HELP,
        "The &rules in plain words",
        "What each clock means, what it counts in, when it turns amber and what it rests on",
    )


@_factory(ActionId.ABOUT)
def _about(parent: QObject) -> QAction:
    action = _action(
        parent, ActionId.ABOUT, "&About Permanence Tracker", "The version and the database in use"
    )
    action.setMenuRole(QAction.MenuRole.AboutRole)
    return action


#: Actions that write to the database — exports too, as they are audited. They are all disabled
#: while the database is open read-only. Reports are not among them: a copy reviewed read-only is
#: previewed and printed (nothing recorded), and a save to a file is refused before it is written.
WRITES: Final = frozenset(
    {
        ActionId.NEW_CHILD,
        ActionId.ADD_EVENT,
        ActionId.UNDO,
        ActionId.REDO,
        ActionId.IMPORT_JOURNEY,
        ActionId.EXPORT_JOURNEY,
        ActionId.EXPORT_ANNEX_A,
        ActionId.EXPORT_REGISTER,
        ActionId.LOAD_DEMO,
        ActionId.SETTINGS,
    }
)


#: Menus, in order; None is a separator.
MENUS: Final[dict[str, tuple[ActionId | None, ...]]] = {
    "&File": (
        ActionId.NEW_CHILD,
        ActionId.ADD_EVENT,
        None,
        ActionId.IMPORT_JOURNEY,
        ActionId.EXPORT_JOURNEY,
        ActionId.EXPORT_ANNEX_A,
        ActionId.EXPORT_REGISTER,
        ActionId.LOAD_DEMO,
        None,
        ActionId.LOCK,
        ActionId.QUIT,
    ),
    "&Edit": (
        ActionId.UNDO,
        ActionId.REDO,
        None,
        ActionId.FIND,
        None,
        ActionId.SETTINGS,
        ActionId.SECURITY,
    ),
    "&Reports": (ActionId.PRINT,),
    "&View": (
        ActionId.SHOW_TODAY,
        ActionId.SHOW_REGISTER,
        ActionId.SHOW_COURT,
        ActionId.SHOW_ESCALATIONS,
        ActionId.SHOW_BACKUPS,
        ActionId.SHOW_AUDIT,
        None,
        ActionId.BACK_TO_TODAY,
    ),
    "&Help": (ActionId.SHORTCUTS, ActionId.RULES_HELP, None, ActionId.ABOUT),
}

TOOLBAR: Final = (
    ActionId.NEW_CHILD,
    ActionId.ADD_EVENT,
    ActionId.IMPORT_JOURNEY,
    ActionId.FIND,
    ActionId.PRINT,
)


def create_actions(
    parent: QObject, handlers: Mapping[ActionId, Callable[[], object]]
) -> dict[ActionId, QAction]:
    """Every action, parented to `parent`, each connected to its handler (if given)."""
    actions: dict[ActionId, QAction] = {}
    for action_id in ActionId:
        action = _FACTORIES[action_id](parent)
        handler = handlers.get(action_id)
        if handler is not None:
            action.triggered.connect(handler)
        actions[action_id] = action
    return actions
