"""Windows and dialogs sized to the screen they open on, title bar and frame included.

`resize()` sets the inside of a window; the window manager adds a title bar and a frame around it.
A window sized to the whole available area is therefore taller than the screen, and its bottom
(the status bar, a dialog's buttons) falls off a 1366 x 768 laptop. Until a window is shown its
frame is not known, so a typical one is allowed for.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

#: Room left for a title bar and frame before the window manager has drawn one (Windows 10/11 and
#: the common Linux desktops draw 30-40 px of title bar and up to 8 px of border each side).
FRAME_ALLOWANCE = QSize(16, 48)


def fit_to_screen(widget: QWidget, preferred: QSize) -> QSize:
    """Resize `widget` to `preferred`, or less where its screen is smaller, and centre it there.

    Returns the size given to the inside of the window.
    """
    screen = widget.screen()
    room: QRect = screen.availableGeometry()
    frame = _frame_of(widget)
    size = QSize(
        max(1, min(preferred.width(), room.width() - frame.width())),
        max(1, min(preferred.height(), room.height() - frame.height())),
    )
    widget.resize(size)
    left = room.left() + (room.width() - size.width() - frame.width()) // 2
    top = room.top() + (room.height() - size.height() - frame.height()) // 2
    widget.move(max(room.left(), left), max(room.top(), top))
    return size


def _frame_of(widget: QWidget) -> QSize:
    if widget.isVisible():
        outer, inner = widget.frameGeometry(), widget.geometry()
        measured = QSize(outer.width() - inner.width(), outer.height() - inner.height())
        if measured.height() > 0:
            return measured
    return FRAME_ALLOWANCE
