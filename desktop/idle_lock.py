"""The idle lock: after some minutes without mouse or keyboard, hide the records until unlocked.

An application-wide event filter restarts a single-shot timer on every mouse, keyboard, wheel or
touch event. When the timer runs out (or on "Lock now"), every window of the tracker — the main
window and any dialog open over it — is covered by a `views.lock_screen.LockScreen`, popups are
closed, and until unlocked every input event or shortcut aimed anywhere but a lock screen is
swallowed. Unlocking needs the database's passphrase when it is encrypted, or otherwise a
confirmation click by the operating-system user. What was typed in an open dialog is kept.

The idle time is a per-computer preference (minutes in `ui.ini`), not a database setting.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QWidget

from views.lock_screen import LockScreen

log = logging.getLogger("permanence.desktop.idle_lock")

DEFAULT_MINUTES: Final = 10
MIN_MINUTES: Final = 1
MAX_MINUTES: Final = 240
SETTINGS_KEY: Final = "security/idle_lock_minutes"

_ACTIVITY: Final = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
    }
)
#: Input swallowed while locked unless it is aimed at a lock screen.
_BLOCKED: Final = _ACTIVITY | {
    QEvent.Type.Shortcut,
    QEvent.Type.ShortcutOverride,
    QEvent.Type.ContextMenu,
    QEvent.Type.Drop,
    QEvent.Type.DragEnter,
    QEvent.Type.DragMove,
}
_NOT_COVERED: Final = (
    Qt.WindowType.Popup,
    Qt.WindowType.ToolTip,
    Qt.WindowType.SplashScreen,
)


def clamp_minutes(value: object) -> int:
    """A stored idle time as whole minutes within range (the default when unreadable)."""
    try:
        minutes = int(str(value))
    except ValueError:
        return DEFAULT_MINUTES
    return max(MIN_MINUTES, min(MAX_MINUTES, minutes))


class IdleLock(QObject):
    """Locks `window` (and the dialogs over it) after `minutes` idle; unlocks on the passphrase.

    Args:
        window: the main window; dialogs whose parent chain leads to it are covered too.
        passphrase: returns the open database's passphrase (None when it is not encrypted); asked
            at each unlock, so a database swapped in later is respected.
        user: the operating-system user's name.

    Signals:
        locked(): the records were hidden.
        unlocked(): they show again.
    """

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        window: QWidget,
        passphrase: Callable[[], str | None],
        user: str,
        minutes: int = DEFAULT_MINUTES,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._passphrase = passphrase
        self._user = user
        self._screens: list[LockScreen] = []
        self._reason = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    # --- settings ---------------------------------------------------------------------------------

    @property
    def minutes(self) -> int:
        return self._minutes

    def set_minutes(self, minutes: int) -> None:
        self._minutes = clamp_minutes(minutes)
        self.set_timeout_ms(self._minutes * 60_000)

    def set_timeout_ms(self, msecs: int) -> None:
        """The idle time in milliseconds (tests use a short one)."""
        self._timer.setInterval(msecs)
        if not self.is_locked:
            self._timer.start()

    def stop(self) -> None:
        """Stop watching (the window is closing)."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._remove_screens()

    # --- locking ----------------------------------------------------------------------------------

    @property
    def is_locked(self) -> bool:
        return bool(self._screens)

    def screens(self) -> list[LockScreen]:
        return list(self._screens)

    def lock(self, reason: str | None = None) -> None:
        """Hide the records now (idempotent)."""
        if self.is_locked or not self._window.isVisible():
            return
        self._timer.stop()
        self._reason = reason or "The records are hidden."
        popup = QApplication.activePopupWidget()
        while popup is not None:
            popup.close()
            next_popup = QApplication.activePopupWidget()
            popup = None if next_popup is popup else next_popup
        for window in self._windows():
            self._cover(window)
        self._focus_screen()
        log.info("locked: %s", self._reason)
        self.locked.emit()

    def try_unlock(self, passphrase: str) -> bool:
        """Unlock if `passphrase` is the database's (any text when it is not encrypted)."""
        if not self.is_locked:
            return True
        expected = self._passphrase()
        if expected is not None and not hmac.compare_digest(passphrase.encode(), expected.encode()):
            log.warning("unlock refused: wrong passphrase")
            for screen in self._screens:
                screen.show_error("Wrong passphrase. The records stay hidden until it is typed correctly.")
            return False
        self._remove_screens()
        self._timer.start()
        log.info("unlocked")
        self.unlocked.emit()
        return True

    # --- internals --------------------------------------------------------------------------------

    def _windows(self) -> list[QWidget]:
        """The main window and the visible windows over it (dialogs and message boxes)."""
        found = [self._window]
        for widget in QApplication.topLevelWidgets():
            if widget is self._window or not widget.isVisible() or not self._belongs(widget):
                continue
            found.append(widget)
        return found

    def _belongs(self, widget: QWidget) -> bool:
        if any(widget.windowType() == kind for kind in _NOT_COVERED):
            return False
        parent = widget.parentWidget()
        while parent is not None:
            if parent is self._window:
                return True
            parent = parent.parentWidget()
        return widget is QApplication.activeModalWidget()

    def _cover(self, window: QWidget) -> None:
        if any(screen.parentWidget() is window for screen in self._screens):
            return
        screen = LockScreen(
            window, encrypted=self._passphrase() is not None, user=self._user, reason=self._reason
        )
        screen.unlock_requested.connect(self.try_unlock)
        screen.destroyed.connect(lambda _obj=None, s=screen: self._forget(s))
        self._screens.append(screen)

    def _forget(self, screen: LockScreen) -> None:
        if screen in self._screens:
            self._screens.remove(screen)

    def _remove_screens(self) -> None:
        screens, self._screens = self._screens, []
        for screen in screens:
            screen.remove()

    def _focus_screen(self) -> None:
        """Give the keyboard to the lock screen of the window that takes input (a modal dialog's)."""
        modal = QApplication.activeModalWidget()
        for screen in self._screens:
            window = screen.parentWidget()
            if window is not None and (modal is None or window is modal):
                window.activateWindow()
                screen.focus()
                return

    def _inside_screen(self, obj: QObject) -> bool:
        widget = obj if isinstance(obj, QWidget) else None
        while widget is not None:
            if isinstance(widget, LockScreen):
                return True
            widget = widget.parentWidget()
        return False

    def _on_timer_timeout(self) -> None:
        self.lock(f"The tracker was not used for {self._describe_idle()}.")

    def _describe_idle(self) -> str:
        msecs = self._timer.interval()
        if msecs % 60_000 == 0:
            minutes = msecs // 60_000
            return f"{minutes} minute{'s' if minutes != 1 else ''}"
        return f"{msecs / 1000:g} seconds"

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if not self._screens:
            if kind in _ACTIVITY:
                self._timer.start()
            return False
        if kind == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
            if watched is not self._window and self._belongs(watched):
                # A message shown while locked (a failed background job) is covered too.
                QTimer.singleShot(0, lambda w=watched: self._cover_late(w))
            return False
        if kind in _BLOCKED:
            if isinstance(watched, QWidget):
                return not self._inside_screen(watched)
            if kind == QEvent.Type.Shortcut:
                return True  # an action's or QShortcut's key: nothing runs while locked
        return False

    def _cover_late(self, window: QWidget) -> None:
        if self.is_locked and window.isVisible():
            self._cover(window)
            self._focus_screen()
