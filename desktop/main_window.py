"""The main window: navigation between Today, the children register and a child's record.

Integration points for the other pages: `open_child(child_id)` shows a child on the `ChildPage`;
`undo_stack` is the one `QUndoStack` every change is pushed to; `refresh()` recomputes every
page (in the background: fifty thousand children take seconds), and `overview_ready` says when the
pages show the new position. The as-of date lives in the toolbar; any other day than today puts a
banner over every page.

Data safety: `swap_database(db)` puts another `Database` in use everywhere (after a restore or a new
passphrase) and emits `database_changed`, which a page holding the database must follow. Opened
read-only, every action in `desktop.actions.WRITES` stays disabled and the status bar says so. The
idle lock (`idle_lock`) hides the records after some minutes without use; `instance_lock` is the
database's lock file, released when the window closes.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Collection
from datetime import date
from pathlib import Path

from PySide6.QtCore import QLockFile, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QUndoStack
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop.actions import MENUS, TOOLBAR, WRITES, ActionId, create_actions
from desktop.idle_lock import DEFAULT_MINUTES, MAX_MINUTES, MIN_MINUTES, SETTINGS_KEY, IdleLock, clamp_minutes
from desktop.team_listener import TeamListener
from desktop.work import (
    run_cancellable,
    run_in_background,
    run_stoppable,
    run_with_progress,
    wait_cursor,
    wait_until_idle,
)
from models.domain.records import ChildRecord
from models.io import demo
from models.io.annex_a_export import export_annex_a
from models.io.audited_export import ExportFailed, export_csv
from models.io.journey_io import (
    ImportResult,
    export_file,
    import_journey,
)
from models.screens.overview import ChildSummary, Overview, build_overview, count_children, quick_overview
from models.screens.words import why
from models.storage import server
from models.storage.backup import EncryptionCancelled, newest_good_backup, restore_backup, set_passphrase
from models.storage.db import Database, DatabaseDamaged, DatabaseError, open_database
from models.storage.settings import load_settings
from models.storage.store import ValidationError, current_user, get_child
from views import help_dialogs, prompts
from views.audit_page import AuditPage
from views.backups_page import BackupsPage
from views.child_dialog import ChildDialog
from views.child_page import ChildPage
from views.court_page import CourtPage
from views.dashboard_page import DashboardPage
from views.date_edit import DateEdit
from views.escalations_page import EscalationsPage
from views.forum_page import ForumPage
from views.import_dialog import ImportDialog
from views.labels import BANNER_STYLE, fmt_date
from views.register_page import RegisterPage
from views.report_dialog import open_reports
from views.screen_fit import fit_to_screen
from views.security_dialog import SecurityDialog
from views.settings_dialog import SettingsDialog
from views.today_page import FILTER_KEYS as TODAY_FILTER_KEYS
from views.today_page import TodayPage
from views.undo import SaveChildCommand
from views.welcome_page import WelcomePage
from views.write_errors import explain_write_failure, push_or_explain

log = logging.getLogger("permanence.desktop.window")

UI_SETTINGS_FILE = "ui.ini"
APP_TITLE = help_dialogs.APP_NAME
#: The days the position can be shown at.
AS_OF_EARLIEST, AS_OF_LATEST = date(2000, 1, 1), date(2099, 12, 31)

#: How long the "Position as at" date must rest before the pages are recomputed (seconds at fifty
#: thousand children): arrow keys in the calendar or on the day step through dates, and only the
#: one the person stops at is worked out. Enter or leaving the box settles at once.
AS_OF_SETTLE_MS = 600

NAV_TODAY, NAV_REGISTER, NAV_CHILD = range(3)
NAV_BACKUPS, NAV_AUDIT = range(3, 5)
NAV_COURT, NAV_ESCALATIONS, NAV_DASHBOARD, NAV_FORUM = range(5, 9)


class MainWindow(QMainWindow):
    """The officer's daily tool.

    Signals:
        overview_ready(): the pages show a freshly computed position (after start-up, a change of
            as-of date, an import or a change of settings).
        as_of_changed(object): the as-of date changed; carries the new `date`.
        database_changed(object): another `Database` is in use (a restore, a new passphrase);
            carries it. The one before is closed.
    """

    overview_ready = Signal()
    as_of_changed = Signal(object)
    database_changed = Signal(object)

    def __init__(
        self,
        db: Database,
        data_dir: Path,
        *,
        as_of: date | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.data_dir = data_dir
        self._today = today
        self._as_of = as_of or today()
        self._overview = Overview(self._as_of)
        self._generation = 0
        self._loading = False
        self._dirty: set[str] = set()
        self._open_child: str | None = None
        self._closing = False
        self.ui_settings = QSettings(str(data_dir / UI_SETTINGS_FILE), QSettings.Format.IniFormat)
        #: The database's lock file (`desktop.instance_lock`), set by start-up; released on closing.
        self.instance_lock: QLockFile | None = None

        self.undo_stack = QUndoStack(self)
        self._actions = create_actions(
            self,
            {
                ActionId.NEW_CHILD: self._on_new_child,
                ActionId.ADD_EVENT: self._on_add_event,
                ActionId.FIND: self.focus_search,
                ActionId.PRINT: self.open_reports,
                ActionId.UNDO: self.undo_stack.undo,
                ActionId.REDO: self.undo_stack.redo,
                ActionId.IMPORT_JOURNEY: self._on_import_journey,
                ActionId.EXPORT_JOURNEY: self._on_export_journey,
                ActionId.EXPORT_ANNEX_A: self._on_export_annex_a,
                ActionId.LOAD_DEMO: self._on_load_demo,
                ActionId.SETTINGS: self._on_settings,
                ActionId.SHOW_TODAY: self.show_today,
                ActionId.SHOW_REGISTER: self.show_register,
                ActionId.BACK_TO_TODAY: self.back_to_today,
                ActionId.QUIT: self.close,
                ActionId.EXPORT_REGISTER: self._on_export_register,
                ActionId.SECURITY: self._on_security,
                ActionId.LOCK: self.lock_now,
                ActionId.SHOW_BACKUPS: self.show_backups,
                ActionId.SHOW_AUDIT: self.show_audit,
                ActionId.SHOW_COURT: self.show_court,
                ActionId.SHOW_ESCALATIONS: self.show_escalations,
                ActionId.SHORTCUTS: self._on_shortcuts,
                ActionId.RULES_HELP: self._on_rules_help,
                ActionId.ABOUT: self._on_about,
            },
        )
        for action in self._actions.values():
            self.addAction(action)  # shortcuts work whichever page has focus
        # Disabling the group disables its actions whatever else enables them (read-only mode).
        self._writing = QActionGroup(self)
        self._writing.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        for action_id in WRITES:
            self._writing.addAction(self._actions[action_id])

        self.welcome_page = WelcomePage(self)
        self.today_page = TodayPage(self)
        self.register_page = RegisterPage(self)
        self.child_page = ChildPage(db, self.undo_stack, self)
        self.backups_page = BackupsPage(db, self)
        self.audit_page = AuditPage(db, self)
        # Built in the background, and only while shown (fifty thousand children take seconds).
        self.court_page = CourtPage(db, self.undo_stack, self._as_of, self, run=run_in_background)
        self.escalations_page = EscalationsPage(db, self.undo_stack, self._as_of, self, run=run_in_background)
        self.dashboard_page = DashboardPage(db, self._as_of, self, run=run_in_background)
        self.forum_page = ForumPage(db, self._as_of, self, run=run_in_background)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        for text in ("Today", "Children", "Child record"):
            QListWidgetItem(text, self.nav)
        for text in ("Backups", "Audit log"):
            QListWidgetItem(text, self.nav)
        for text in ("Court", "Escalations (DRP)", "Dashboard", "Forum and caseloads"):
            QListWidgetItem(text, self.nav)
        self.nav.setFixedWidth(190)
        self.nav.setWordWrap(True)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setStyleSheet(
            "QListWidget#navigation { font-size: 14px; } QListWidget::item { padding: 8px; }"
        )
        self.nav.item(NAV_CHILD).setFlags(Qt.ItemFlag.NoItemFlags)
        self.stack = QStackedWidget(self)
        for page in (self.today_page, self.register_page, self.child_page, self.welcome_page):
            self.stack.addWidget(page)
        self.stack.addWidget(self.backups_page)
        self.stack.addWidget(self.audit_page)
        self.stack.addWidget(self.court_page)
        self.stack.addWidget(self.escalations_page)
        self.stack.addWidget(self.dashboard_page)
        self.stack.addWidget(self.forum_page)

        self._build_toolbar()
        self._build_banner()
        self._build_menus()
        self._build_status_bar()
        self._build_safety_status()

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        for page in (self.today_page, self.register_page):  # their exports are audited here
            page.table_actions.set_database(lambda: self.db)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self.today_page.open_child_requested.connect(self.open_child)
        self.today_page.filter_changed.connect(self._on_today_page_filter_changed)
        self.register_page.open_child_requested.connect(self.open_child)
        self.child_page.open_child_requested.connect(self.open_child)
        self.dashboard_page.open_child_requested.connect(self.open_child)
        self.forum_page.open_child_requested.connect(self.open_child)
        for clocks_page in (self.court_page, self.escalations_page):
            clocks_page.open_child_requested.connect(self.open_child)
            clocks_page.child_changed.connect(self._on_child_changed)
        self.overview_ready.connect(self._on_overview_ready)
        self.child_page.child_changed.connect(self._on_child_changed)
        self.welcome_page.demo_requested.connect(self._on_load_demo)
        self.welcome_page.import_requested.connect(self._on_import_journey)
        self.welcome_page.new_child_requested.connect(self._on_new_child)
        self.backups_page.restore_requested.connect(self._on_backups_page_restore_requested)
        self.undo_stack.canUndoChanged.connect(self._actions[ActionId.UNDO].setEnabled)
        self.undo_stack.canRedoChanged.connect(self._actions[ActionId.REDO].setEnabled)
        self.undo_stack.undoTextChanged.connect(self._on_undo_stack_undo_text_changed)
        self.undo_stack.redoTextChanged.connect(self._on_undo_stack_redo_text_changed)

        self._update_title()
        self._update_banner()
        # A first start fits the screen with its title bar (a 1366 x 768 laptop too); later starts
        # restore the layout.
        fit_to_screen(self, QSize(1440, 880))
        self._restore_ui_state()
        self._apply_database_state()
        self.idle_lock = IdleLock(
            self,
            lambda: self.db.passphrase,
            current_user(),
            clamp_minutes(self.ui_settings.value(SETTINGS_KEY, DEFAULT_MINUTES)),
        )
        self.team_listener: TeamListener | None = None
        self._listen_to_the_team()
        if count_children(db) == 0:
            self._show_welcome(True)
        else:
            self._show_welcome(False)
            self.show_today()
            self.refresh()

    # --- building -----------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action_id in TOOLBAR:
            toolbar.addAction(self._actions[action_id])
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addWidget(QLabel("Position as at  ", toolbar))
        # The forms' own date field: 01/09/2026 typed is 1 September 2026, a half-typed date is
        # no date (a QDateEdit turned it into another day).
        self.as_of_edit = DateEdit(toolbar, show_error=False, minimum=AS_OF_EARLIEST, maximum=AS_OF_LATEST)
        self.as_of_edit.setObjectName("asOfEdit")
        self.as_of_edit.line_edit.setAccessibleName("Position as at, dd/mm/yyyy")
        self.as_of_edit.line_edit.setClearButtonEnabled(False)
        self.as_of_edit.set_value(self._as_of)
        # Its own width, not the toolbar's spare width.
        self.as_of_edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.as_of_edit.setToolTip(
            "The date the deadlines are worked out at: today, or a past day to re-run its position"
        )
        self.as_of_edit.date_changed.connect(self._on_as_of_edit_date_changed)
        self.as_of_edit.line_edit.editingFinished.connect(self._on_as_of_edit_editing_finished)
        self._as_of_settle = QTimer(self)
        self._as_of_settle.setSingleShot(True)
        self._as_of_settle.setInterval(AS_OF_SETTLE_MS)
        self._as_of_settle.timeout.connect(self._on_as_of_settle_timeout)
        toolbar.addWidget(self.as_of_edit)
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_banner(self) -> None:
        self.banner = QFrame(self)
        self.banner.setObjectName("asOfBanner")
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner_label = QLabel(self.banner)
        self.banner_label.setObjectName("asOfBannerText")
        self.back_to_today_button = QPushButton("Back to today", self.banner)
        self.back_to_today_button.setObjectName("backToToday")
        self.back_to_today_button.clicked.connect(self._actions[ActionId.BACK_TO_TODAY].trigger)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.back_to_today_button)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        for title, ids in MENUS.items():
            menu = bar.addMenu(title)
            for action_id in ids:
                if action_id is None:
                    menu.addSeparator()
                else:
                    menu.addAction(self._actions[action_id])

    def _build_status_bar(self) -> None:
        self.count_status = QLabel(self)
        self.busy_status = QLabel("", self)
        self.busy_status.setObjectName("busyStatus")
        self.statusBar().addWidget(self.busy_status)
        self.statusBar().addPermanentWidget(self.count_status)
        where = str(self.db.path) if self.db.path else server.describe(self.db.engine.url)
        self.db_status = QLabel(where, self)
        self.db_status.setStyleSheet("color: #5f6368;")
        self.team_status = QLabel("", self)
        self.team_status.setObjectName("teamStatus")
        self.team_status.setStyleSheet("color: #842029; font-weight: bold;")
        self.team_status.hide()
        self.statusBar().addPermanentWidget(self.team_status)
        self.statusBar().addPermanentWidget(self.db_status)

    def action(self, action_id: ActionId) -> QAction:
        """The window's action of that id (menus, toolbar and shortcuts all use these)."""
        return self._actions[action_id]

    # --- the as-of date -----------------------------------------------------------------------

    @property
    def as_of(self) -> date:
        return self._as_of

    @property
    def overview(self) -> Overview:
        return self._overview

    def set_as_of(self, day: date) -> None:
        """Show every page as at `day` (recomputed in the background)."""
        if day == self._as_of:
            return
        self._as_of = day
        self._as_of_settle.stop()
        if self.as_of_edit.value() != day:
            self.as_of_edit.blockSignals(True)
            self.as_of_edit.set_value(day)
            self.as_of_edit.blockSignals(False)
        self._update_banner()
        if self._open_child is not None:
            self.child_page.set_as_of(day)
        self.refresh()
        self.as_of_changed.emit(day)

    def back_to_today(self) -> None:
        self.set_as_of(self._today())

    def _update_banner(self) -> None:
        not_today = self._as_of != self._today()
        self.banner_label.setText(f"Showing the position as at {fmt_date(self._as_of)} — not today")
        self.banner.setVisible(not_today)
        self._actions[ActionId.BACK_TO_TODAY].setEnabled(not_today)

    def _on_as_of_edit_date_changed(self, day: object) -> None:
        # (Re)started: the date is taken once it has settled, and not while it is half typed or
        # wrong (the box says why).
        if isinstance(day, date):
            self._as_of_settle.start()
        else:
            self._as_of_settle.stop()

    def _on_as_of_edit_editing_finished(self) -> None:
        if self._as_of_settle.isActive():
            self._as_of_settle.stop()
            self._on_as_of_settle_timeout()

    def _on_as_of_settle_timeout(self) -> None:
        day = self.as_of_edit.value()
        if day is not None:
            self.set_as_of(day)

    # --- computing the pages ------------------------------------------------------------------

    def refresh(self) -> None:
        """Recompute every child at the as-of date in the background, then show it on every page."""
        self._generation += 1
        generation, db, as_of = self._generation, self.db, self._as_of
        self._loading = True
        self._dirty.clear()
        self.busy_status.setText("Working out deadlines…")
        if not self._overview.children:
            # The register is usable at once (listed, searchable, children open); the deadline
            # columns and the Today lists fill in when the background work is done.
            self._show_overview(quick_overview(db, as_of))
        elif self._overview.as_of != as_of:
            # A new date: the children stay listed (listing fifty thousand again held the window
            # for a second), and both pages say the deadlines are being worked out.
            self.register_page.set_pending()
            self.today_page.set_items((), as_of, complete=False, children=self._overview.children)
        run_in_background(
            lambda: build_overview(db, as_of),
            lambda overview: self._on_overview_built(generation, overview),
            self._on_overview_failed,
        )

    def _on_overview_built(self, generation: int, overview: Overview) -> None:
        if generation != self._generation or self._closing:
            return  # a newer request is on its way, or the window is closing: nothing to show
        self._loading = False
        if self._dirty:
            ids = sorted(self._dirty)
            overview = overview.merged(build_overview(self.db, overview.as_of, ids), ids)
            self._dirty.clear()
        self.busy_status.setText("")
        self._show_overview(overview)
        self.overview_ready.emit()

    def _on_overview_failed(self, exc: Exception) -> None:
        self._loading = False
        self.busy_status.setText("")
        if isinstance(exc, DatabaseDamaged):
            self.offer_restore(exc)
            return
        prompts.show_error(
            self, "Cannot work out the deadlines", f"The deadlines could not be worked out: {exc}"
        )

    def offer_restore(self, exc: DatabaseDamaged) -> bool:
        """A value read back is damaged (`read_check.StoredValueInvalid`): offer the newest good
        backup, as start-up does for a file that fails its check; True once it is restored."""
        log.error("a damaged value was read from %s", exc.path)  # which child's: not in the log
        path, passphrase = self.db.path, self.db.passphrase
        writable = path is not None and not self.db.read_only
        good = newest_good_backup(path, passphrase, values=True) if path is not None and writable else None
        if path is None or good is None:
            why = (
                "Start the tracker without --read-only to restore a backup."
                if self.db.read_only
                else "There is no good backup to restore. The file has not been changed; please ask the "
                "IT service desk for help."
            )
            prompts.show_error(self, "The database is damaged", f"{exc}\n\n{why}")
            return False
        if not prompts.ask_restore_damaged(self, path, exc.detail, good):
            return False
        try:
            safety = self.restore_from_backup(good.path)
        except (DatabaseError, OSError) as err:
            prompts.show_error(self, "The backup was not restored", f"{err}\n\nThe database was not changed.")
            return False
        kept = f"\n\nThe damaged database is kept as {safety.name} in {safety.parent}." if safety else ""
        prompts.show_info(
            self,
            "Backup restored",
            f"The backup taken on {good.taken:%d/%m/%Y at %H:%M} is now the database. Changes made after "
            f"that time need entering again.{kept}",
        )
        return True

    def _show_overview(self, overview: Overview, changed: Collection[str] | None = None) -> None:
        """Show a new overview; after an edit of `changed` children only their register rows are
        updated (in place where they stay where they are)."""
        self._overview = overview
        if changed is not None and overview.complete:
            self.register_page.update_children(overview.children, changed)
        else:
            self.register_page.set_rows(overview.children, complete=overview.complete)
        self.today_page.set_items(
            overview.attention, overview.as_of, complete=overview.complete, children=overview.children
        )
        total = len(overview.children)
        self.count_status.setText(f"{total:,} {'child' if total == 1 else 'children'}")
        if overview.children and self.stack.currentWidget() is self.welcome_page:
            self._show_welcome(False)
            self.show_today()
        if self._open_child is not None:
            summary = overview.child(self._open_child)
            label = _child_nav_text(summary)
            self.nav.item(NAV_CHILD).setText(label)

    def _on_child_changed(self, child_id: str) -> None:
        """Recompute one child after an edit (or its undo) and merge it into the pages."""
        if child_id == self._open_child and get_child(self.db, child_id) is None:
            self._forget_open_child()  # deleted, or its ID corrected
        if self._loading:
            self._dirty.add(child_id)
            return
        partial = build_overview(self.db, self._as_of, [child_id])
        self._show_overview(self._overview.merged(partial, [child_id]), changed=[child_id])

    # --- the team server: other people's changes -------------------------------------------------

    def _listen_to_the_team(self) -> None:
        """On the team server, hear other people's changes (`desktop.team_listener`); not on a file."""
        self._stop_listening()
        if self.db.is_sqlite:
            return
        self.team_listener = TeamListener(
            self.db, self._on_others_changed, self._on_others_changed_everything, self
        )
        self.team_listener.state_changed.connect(self._on_team_state_changed)
        self.team_listener.start()

    def _stop_listening(self) -> None:
        if self.team_listener is not None:
            self.team_listener.stop()
            self.team_listener.deleteLater()
            self.team_listener = None
        self.team_status.hide()

    def _on_others_changed(self, child_ids: list[str]) -> None:
        for child_id in child_ids:
            self._on_child_changed(child_id)
        self.child_page.reload(child_ids)

    def _on_others_changed_everything(self) -> None:
        self.refresh()
        self.child_page.reload()

    def _on_team_state_changed(self, connected: bool, sentence: str) -> None:
        self.team_status.setText("" if connected else "Team server unreachable — reconnecting…")
        self.team_status.setToolTip(sentence)
        self.team_status.setVisible(not connected)
        if not connected:
            log.warning("%s", sentence)

    # --- pages --------------------------------------------------------------------------------

    def _show_welcome(self, welcome: bool) -> None:
        self.nav.setVisible(not welcome)
        if welcome:
            self.stack.setCurrentWidget(self.welcome_page)
        for action_id in (
            ActionId.FIND,
            ActionId.EXPORT_JOURNEY,
            ActionId.SHOW_TODAY,
            ActionId.SHOW_REGISTER,
            ActionId.SHOW_COURT,
            ActionId.SHOW_ESCALATIONS,
        ):
            self._actions[action_id].setEnabled(not welcome)

    def show_today(self) -> None:
        self.nav.setCurrentRow(NAV_TODAY)

    def show_register(self) -> None:
        self.nav.setCurrentRow(NAV_REGISTER)

    def focus_search(self) -> None:
        self.show_register()
        self.register_page.focus_search()

    def open_child(self, child_id: str) -> None:
        """Show a child's record on the child page."""
        self._open_child = child_id
        self.child_page.show_child(child_id, self._as_of)
        item = self.nav.item(NAV_CHILD)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        summary = self._overview.child(child_id)
        item.setText(_child_nav_text(summary))
        self._actions[ActionId.ADD_EVENT].setEnabled(True)
        self._show_welcome(False)
        self.nav.setCurrentRow(NAV_CHILD)
        self.stack.setCurrentWidget(self.child_page)

    def _forget_open_child(self) -> None:
        """No child is open any more (it is not in the database): back to the register."""
        self._open_child = None
        item = self.nav.item(NAV_CHILD)
        item.setText(_child_nav_text(None))
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self._actions[ActionId.ADD_EVENT].setEnabled(False)
        if self.stack.currentWidget() is self.child_page:
            self.show_register()

    def _on_nav_current_row_changed(self, row: int) -> None:
        pages: dict[int, QWidget] = {
            NAV_TODAY: self.today_page,
            NAV_REGISTER: self.register_page,
            NAV_CHILD: self.child_page,
            NAV_BACKUPS: self.backups_page,
            NAV_AUDIT: self.audit_page,
            NAV_COURT: self.court_page,
            NAV_ESCALATIONS: self.escalations_page,
            NAV_DASHBOARD: self.dashboard_page,
            NAV_FORUM: self.forum_page,
        }
        page = pages.get(row)
        if page is not None:
            self.stack.setCurrentWidget(page)

    # --- action handlers ----------------------------------------------------------------------

    def open_reports(self) -> None:
        """The reports dialog, starting on the shown child's chronology when a child is open."""
        child_id = (
            self.child_page.current_child_id() if self.stack.currentWidget() is self.child_page else None
        )
        open_reports(
            self,
            self.db,
            self._as_of,
            name="chronology" if child_id else "tracker",
            child_id=child_id,
            run=run_cancellable,
        )

    def _on_new_child(self) -> None:
        def save(record: ChildRecord) -> bool:
            command = SaveChildCommand(self.db, record, None, self._on_child_changed)
            try:
                # False after a read-only file or a full disk: the form is shown again as it was.
                return push_or_explain(self, self.undo_stack, command)
            except (ValidationError, KeyError) as exc:
                prompts.show_error(self, "The child was not added", str(exc))
                return False

        added = ChildDialog.ask(self, self.db, None, save=save)
        if added is not None:
            self.open_child(added.id)

    def _on_add_event(self) -> None:
        if self._open_child is None:
            return
        self.nav.setCurrentRow(NAV_CHILD)
        self.child_page.add_event()

    def _on_import_journey(self) -> ImportDialog:
        """File ▸ Import…: the one import dialog (`views.import_dialog`), open beside the window."""
        dialog = ImportDialog(self.db, self.data_dir, self, run=run_in_background, today=self._today)
        dialog.imported.connect(self._on_import_dialog_imported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_import_dialog_imported(self, _result: object) -> None:
        self.refresh()

    def _on_export_annex_a(self) -> None:
        path = prompts.ask_save_xlsx(
            self, self.data_dir / f"annex-a-{self._as_of:%Y-%m-%d}.xlsx", "Export Annex A"
        )
        if path is None:
            return
        db, as_of = self.db, self._as_of
        try:
            counts = run_with_progress(self, "Writing Annex A…", lambda: export_annex_a(db, path, as_of))
        except OSError as exc:
            prompts.show_error(self, "Annex A was not written", f"Cannot write {path}: {exc.strerror}.")
            return
        rows = ", ".join(f"{name}: {n:,}" for name, n in counts.items())
        self.statusBar().showMessage(f"Annex A written to {path} ({rows} rows)", 10_000)

    def _on_export_journey(self) -> None:
        suggested = self.data_dir / f"journey-{self._today():%Y-%m-%d}.json"
        path = prompts.ask_save_journey(self, suggested)
        if path is None:
            return
        try:
            count = export_file(self.db, path)
        except OSError as exc:
            prompts.show_error(
                self, "The journey file was not written", f"Cannot write {path}: {exc.strerror}."
            )
            return
        self.statusBar().showMessage(f"{count:,} children exported to {path}", 10_000)

    def _on_load_demo(self) -> None:
        count = prompts.ask_demo_children(self)
        if count is None:
            return
        self.load_demo(count)

    def load_demo(self, count: int, seed: int = 1) -> None:
        """Add `count` fictional children whose journeys lead up to today."""
        db, today = self.db, self._today()

        def make() -> ImportResult:
            data = demo.generate(count, seed=seed, today=today)
            return import_journey(db, data, source=f"demonstration data: {count} children, seed {seed}")

        result = run_with_progress(self, f"Making {count:,} fictional children…", make)
        self.statusBar().showMessage(f"Fictional demonstration data: {result.summary()}", 15_000)
        self.refresh()

    def _on_settings(self) -> None:
        dialog = SettingsDialog(self.db, self)
        dialog.settings_saved.connect(self._on_settings_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_settings_saved(self) -> None:
        self._update_title()
        if self._open_child is not None:
            self.child_page.set_as_of(self._as_of)
        self.refresh()

    def _on_undo_stack_undo_text_changed(self, text: str) -> None:
        self._actions[ActionId.UNDO].setText(f"&Undo {text}" if text else "&Undo")

    def _on_undo_stack_redo_text_changed(self, text: str) -> None:
        self._actions[ActionId.REDO].setText(f"&Redo {text}" if text else "&Redo")

    # --- data safety: read-only, backups, passphrase, idle lock, audited exports -----------------

    def _build_safety_status(self) -> None:
        self.read_only_status = QLabel("READ-ONLY — changes cannot be saved", self)
        self.read_only_status.setObjectName("readOnlyStatus")
        self.read_only_status.setStyleSheet(
            "QLabel#readOnlyStatus { background: #ffe69c; color: #3d2e02; font-weight: bold;"
            " border: 1px solid #cc9a06; border-radius: 3px; padding: 1px 8px; }"
        )
        self.read_only_status.setToolTip("Started with --read-only: the records can be read, not changed.")
        self.encryption_status = QLabel(self)
        self.encryption_status.setObjectName("encryptionStatus")
        self.statusBar().addPermanentWidget(self.encryption_status)
        self.statusBar().addPermanentWidget(self.read_only_status)

    def _apply_database_state(self) -> None:
        """Enable what the open database allows (nothing that writes when read-only) and say so."""
        read_only = self.db.read_only
        self._writing.setEnabled(not read_only)
        for button in (
            self.welcome_page.demo_button,
            self.welcome_page.import_button,
            self.welcome_page.new_child_button,
        ):
            button.setEnabled(not read_only)
        self.child_page.set_read_only(read_only)
        self.read_only_status.setVisible(read_only)
        self.encryption_status.setText("Encrypted" if self.db.encrypted else "Not encrypted")
        self.encryption_status.setStyleSheet("color: #0f5132;" if self.db.encrypted else "color: #842029;")
        self.encryption_status.setToolTip(
            "The database file is encrypted with a passphrase."
            if self.db.encrypted
            else "Anyone who can copy the database file can read it: set a passphrase in Edit ▸ Security."
        )
        if not self.db.is_sqlite:  # the team server: no file to encrypt; TLS is required off this machine
            self.encryption_status.setText("Team server")
            self.encryption_status.setStyleSheet("color: #0f5132;")
            self.encryption_status.setToolTip(
                "The records are on the team server; the connection is encrypted (TLS) unless the server is "
                "on this machine."
            )
        self.db_status.setText(str(self.db.path) if self.db.path else server.describe(self.db.engine.url))
        self._update_title()

    def swap_database(self, db: Database) -> None:
        """Use `db` everywhere from now on (the one before is closed), and recompute every page.

        The undo history is cleared: its steps were recorded against the database before.
        """
        wait_until_idle(self, "Finishing the work in progress…")
        old = self.db
        self.db = db
        self.child_page.db = db
        self.undo_stack.clear()
        self.backups_page.set_database(db)
        self.audit_page.set_database(db)
        self.court_page.set_database(db)
        self.escalations_page.set_database(db)
        self.dashboard_page.set_database(db)
        self.forum_page.set_database(db)
        self._apply_database_state()
        self._listen_to_the_team()
        if old is not db:
            old.dispose()
        self.database_changed.emit(db)
        if self._open_child is not None and get_child(db, self._open_child) is None:
            self._forget_open_child()  # not in the restored file: no "Add event" for a child not there
        if self._open_child is not None:
            self.child_page.show_child(self._open_child, self._as_of)
        if count_children(db) == 0:
            self._show_welcome(True)
            self._show_overview(Overview(self._as_of))
        else:
            self._show_welcome(False)
            if self.stack.currentWidget() is self.welcome_page:
                self.show_today()
            self.refresh()

    def restore_from_backup(self, backup: Path) -> Path | None:
        """Close the database, put `backup` in its place, reopen it and show it everywhere.

        Returns the safety copy of what was replaced (`models.storage.backup.restore_backup`). On failure
        the database is reopened as it was and the error raised.
        """
        path, passphrase = self.db.path, self.db.passphrase
        if path is None:
            raise DatabaseError("A database server is restored by its administrator.")
        wait_until_idle(self, "Finishing the work in progress before restoring…")
        self.db.dispose()
        try:
            safety = restore_backup(path, backup, passphrase)
        finally:
            self.swap_database(open_database(path, passphrase=passphrase))
        log.info("restored %s (safety copy %s)", backup, safety)
        return safety

    def change_passphrase(self, passphrase: str) -> Database:
        """Encrypt the database (or change its passphrase) and swap in the reopened database.

        Done off the GUI thread with Cancel (`set_passphrase` stops at its next safe point, having
        changed nothing): cancelled, the database as it was is reopened and `EncryptionCancelled`
        raised.
        """
        wait_until_idle(self, "Finishing the work in progress before encrypting…")
        old = self.db
        label = "Changing the passphrase…" if old.encrypted else "Encrypting the database and its backups…"
        try:
            db = run_stoppable(self, label, lambda cancelled: set_passphrase(old, passphrase, cancelled))
            if db is None:
                raise EncryptionCancelled("Encrypting was cancelled; nothing was changed.")
        except Exception:
            self._reopen_after_failed_rekey(old, passphrase)
            raise
        self.swap_database(db)
        return db

    def _reopen_after_failed_rekey(self, old: Database, passphrase: str) -> None:
        # set_passphrase may fail after the file was re-keyed (an old backup would not convert).
        if old.path is None:
            return
        for key in (old.passphrase, passphrase):
            try:
                db = open_database(old.path, passphrase=key, migrate=False)
            except DatabaseError:
                continue
            self.swap_database(db)
            return
        log.error("after a failed change of passphrase, %s opens with neither passphrase", old.path)

    def _on_backups_page_restore_requested(self, path_text: str) -> None:
        backup = Path(path_text)
        try:
            with wait_cursor():
                safety = self.restore_from_backup(backup)
        except (DatabaseError, OSError) as exc:
            prompts.show_error(self, "The backup was not restored", f"{exc}\n\nThe database was not changed.")
            return
        except Exception as exc:
            if not explain_write_failure(self, exc):
                raise
            return
        kept = (
            f"\n\nThe database as it was before is kept as {safety.name} in {safety.parent}."
            if safety is not None
            else ""
        )
        self.backups_page.reload()
        prompts.show_info(self, "Backup restored", f"The backup {backup.name} is now the database.{kept}")

    def _on_security(self) -> None:
        dialog = SecurityDialog(
            self.db,
            self,
            idle_minutes=self.idle_lock.minutes,
            min_minutes=MIN_MINUTES,
            max_minutes=MAX_MINUTES,
            apply_passphrase=self.change_passphrase,
        )
        dialog.idle_minutes_changed.connect(self._on_security_dialog_idle_minutes_changed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _on_security_dialog_idle_minutes_changed(self, minutes: int) -> None:
        self.idle_lock.set_minutes(minutes)
        self.ui_settings.setValue(SETTINGS_KEY, self.idle_lock.minutes)
        self.ui_settings.sync()

    def lock_now(self) -> None:
        """Hide the records until the passphrase is typed (or the user confirms) again."""
        self.idle_lock.lock("Locked on request.")

    def show_backups(self) -> None:
        self.nav.setVisible(True)
        self.nav.setCurrentRow(NAV_BACKUPS)

    def show_audit(self) -> None:
        self.nav.setVisible(True)
        self.nav.setCurrentRow(NAV_AUDIT)

    def show_court(self) -> None:
        self.nav.setCurrentRow(NAV_COURT)

    def show_escalations(self) -> None:
        self.nav.setCurrentRow(NAV_ESCALATIONS)

    def _on_overview_ready(self) -> None:
        # A new position (as-of date, import, settings): the court and escalation pages follow,
        # rebuilt now if shown, else when next shown.
        for page in (self.court_page, self.escalations_page, self.dashboard_page, self.forum_page):
            page.set_as_of(self._as_of)

    def _on_export_register(self) -> None:
        """Write the register's visible rows, as shown, to a CSV file (neutralised and audited)."""
        model = self.register_page.model
        suggested = self.data_dir / f"children-register-as-at-{self._as_of:%Y-%m-%d}.csv"
        path = prompts.ask_save_csv(self, suggested, "Export the register")
        if path is None:
            return
        columns = range(model.columnCount())
        # The columns as shown, and the reason behind each child's RAG ("Why", as the details pane).
        header = [*(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns), "Why"]
        shown = model.visible_rows()  # the rows as filtered and sorted now, formatted off the GUI thread
        rows = (
            [*(model.display(row, c) for c in columns), why(row.reason) if row.reason else ""]
            for row in shown
        )
        flt = {
            name: getattr(value, "value", value)
            for name, value in dataclasses.asdict(model.filter).items()
            if value not in (None, "")
        }
        details = {"as_of": self._as_of.isoformat(), "filter": flt, "of_children": model.total_count()}
        db = self.db
        try:
            count = run_stoppable(
                self,
                f"Exporting {len(shown):,} children…",
                lambda cancelled: export_csv(
                    db, path, header, rows, what="register", details=details, cancelled=cancelled
                ),
            )
        except ExportFailed as exc:
            prompts.show_error(self, "The register was not exported", str(exc))
            return
        except OSError as exc:
            prompts.show_error(
                self, "The register was not exported", f"Cannot write {path}: {exc.strerror or exc}."
            )
            return
        except Exception as exc:
            if not explain_write_failure(self, exc):
                raise
            return
        if count is None:
            self.statusBar().showMessage("The export was cancelled; nothing was written.", 10_000)
            return
        self.statusBar().showMessage(f"{count:,} children exported to {path}", 10_000)

    def _on_shortcuts(self) -> None:
        help_dialogs.show_shortcuts(self, self._actions.values()).setAttribute(
            Qt.WidgetAttribute.WA_DeleteOnClose
        )

    def _on_rules_help(self) -> None:
        help_dialogs.show_rules(self).setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _on_about(self) -> None:
        where = str(self.db.path) if self.db.path else server.describe(self.db.engine.url)
        prompts.show_about(self, f"About {APP_TITLE}", help_dialogs.about_text(where))

    def release_instance_lock(self) -> None:
        if self.instance_lock is not None:
            self.instance_lock.unlock()
            self.instance_lock = None

    # --- window state -------------------------------------------------------------------------

    def _update_title(self) -> None:
        settings = load_settings(self.db)
        read_only = " (read-only)" if self.db.read_only else ""
        # The application sets no display name, so Qt adds nothing after this (`desktop.app`).
        self.setWindowTitle(f"{APP_TITLE} — {settings.authority_name}{read_only}")

    def _restore_ui_state(self) -> None:
        s = self.ui_settings
        geometry = s.value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("main_window/state")
        if state is not None:
            self.restoreState(state)
        for key, header in (
            ("register/header", self.register_page.table.horizontalHeader()),
            ("today/header", self.today_page.tree.header()),
        ):
            value = s.value(key)
            if value is not None:
                header.restoreState(value)
        remembered = {key: s.value(f"today/filter/{key}") for key in TODAY_FILTER_KEYS}
        self.today_page.set_filter_state({k: str(v) for k, v in remembered.items() if v not in (None, "")})

    def _on_today_page_filter_changed(self) -> None:
        """Today's caseload and text filters are remembered for the next session."""
        for key, value in self.today_page.filter_state().items():
            self.ui_settings.setValue(f"today/filter/{key}", value or "")
        self.ui_settings.sync()

    def save_ui_state(self) -> None:
        s = self.ui_settings
        s.setValue("main_window/geometry", self.saveGeometry())
        s.setValue("main_window/state", self.saveState())
        s.setValue("register/header", self.register_page.table.horizontalHeader().saveState())
        s.setValue("today/header", self.today_page.tree.header().saveState())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing:
            event.ignore()  # already closing, waiting for the work in progress
            return
        self._closing = True
        self._stop_listening()
        self.idle_lock.stop()
        self.save_ui_state()
        # Quitting during a recompute waits for it with a message, the window still painting.
        wait_until_idle(self, "Closing once the work in progress is finished…")
        # The stack is destroyed before the pages connected to it: its last signals must not reach them.
        self.undo_stack.blockSignals(True)
        # Every change is already saved; the commands are deleted now, while everything they refer
        # to is alive, rather than by whatever frees the window at exit.
        self.undo_stack.clear()
        super().closeEvent(event)
        self.release_instance_lock()


def _child_nav_text(summary: ChildSummary | None) -> str:
    return f"Child record\n{summary.name}" if summary else "Child record"
