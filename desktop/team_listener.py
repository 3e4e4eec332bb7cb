"""Other people's changes on the team server, shown within seconds: LISTEN/NOTIFY into the window.

Every change committed on the team server is announced by `models.storage.store.audit` on
`server.CHANNEL`. A thread of this module's own LISTENs there (`server.listen`, with its own
connection) and hands each child id to the GUI thread through a queued signal; the ids are
gathered for `COALESCE_MS` and then merged into the pages by the window's `on_changed` (one
child's recomputation each) or, for many children at once or a change to anything ("*", such as an
import or the settings), by a full `refresh`. When the server goes away the window is told
("Team server unreachable"), the listener reconnects by itself, and then everything is read again,
since changes made meanwhile were not heard. An SQLite file has one writer, the window itself:
nothing is started.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from models.storage import server
from models.storage.db import Database

log = logging.getLogger("permanence.desktop.team")

#: How long announcements are gathered before the pages are updated.
COALESCE_MS = 300
#: From this many children in one batch, everything is recomputed instead of child by child.
FULL_REFRESH_FROM = 50


class TeamListener(QObject):
    """Announcements from the team server, delivered on the GUI thread."""

    #: A child another person changed (or `server.EVERYONE`), from the listening thread.
    _heard = Signal(str)
    #: Connected (True) or not, with a sentence for the status bar.
    state_changed = Signal(bool, str)

    def __init__(
        self,
        db: Database,
        on_children: Callable[[list[str]], None],
        on_everything: Callable[[], None],
        parent: QObject | None = None,
        *,
        retry_seconds: float = 2.0,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._on_children = on_children
        self._on_everything = on_everything
        self._retry = retry_seconds
        self._pending: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._deliver)
        self._heard.connect(self._on_heard)
        self.state_changed.connect(self._on_state_changed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: True while listening; False until connected, and while the server is unreachable.
        self.connected = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=server.listen,
            args=(self._db.engine.url, self._db.password, self._heard.emit, self._state, self._stop),
            kwargs={"retry_seconds": self._retry},
            name="team-listener",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (the thread ends within a second) and drop what was not yet delivered."""
        self._stop.set()
        self._timer.stop()
        self._pending.clear()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _state(self, connected: bool, sentence: str) -> None:
        self.state_changed.emit(connected, sentence)

    def _on_state_changed(self, connected: bool, _sentence: str) -> None:
        self.connected = connected

    def _on_heard(self, child_id: str) -> None:
        if self._stop.is_set():
            return
        self._pending.add(child_id)
        if not self._timer.isActive():
            self._timer.start()

    def _deliver(self) -> None:
        ids, self._pending = sorted(self._pending), set()
        if not ids:
            return
        log.debug("changes on the team server: %s", ids[:10])
        if server.EVERYONE in ids or len(ids) >= FULL_REFRESH_FROM:
            self._on_everything()
        else:
            self._on_children(ids)
