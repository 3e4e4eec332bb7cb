"""A row of widgets that wraps onto more lines when the window is too narrow for one.

Filter bars and legends were single `QHBoxLayout` rows. A hidden page in the main window's stack
still asks for its full width, so the widest row (six filters and a button) set the window's
minimum width: 1,366 px, more than a 1,280-wide screen has. `FlowLayout` asks only for its widest
item. Each line's spare width goes to the items given a stretch, in proportion, as a box layout
does, so at full width a row looks as it did.

After Qt's flow layout example (widgets/layouts/flowlayout), with stretch factors and items that
stay on the line of the item after them (a caption and its field).
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        spacing: int = 6,
        inner_spacing: int = 4,
        line_spacing: int = 4,
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._stretch: list[int] = []
        self._with_next: list[bool] = []
        self._spacing = spacing  # between units
        self._inner = inner_spacing  # between the items of one unit
        self._line_spacing = line_spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # --- Building -----------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)
        self._stretch.append(0)
        self._with_next.append(False)
        self.invalidate()

    def add(self, widget: QWidget, stretch: int = 0, *, with_next: bool = False) -> None:
        """Add a widget; `stretch` shares out a line's spare width, `with_next` keeps it with the next."""
        self.addChildWidget(widget)
        self.addItem(QWidgetItem(widget))
        self._stretch[-1] = stretch
        self._with_next[-1] = with_next

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        del self._stretch[index], self._with_next[index]
        item = self._items.pop(index)
        self.invalidate()
        return item

    # --- Sizes ---------------------------------------------------------------------------------

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), place=False)

    def minimumSize(self) -> QSize:
        """The widest unit (a caption with its field), not the whole row."""
        size = QSize()
        for unit in self._units():
            width = sum(self._items[i].minimumSize().width() for i in unit) + self._inner * (len(unit) - 1)
            height = max(self._items[i].minimumSize().height() for i in unit)
            size = size.expandedTo(QSize(width, height))
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:
        """Everything on one line."""
        units = self._units()
        width = sum(self._unit_width(unit) for unit in units) + self._spacing * max(0, len(units) - 1)
        height = max((self._items[i].sizeHint().height() for unit in units for i in unit), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, place=True)

    # --- Arranging ----------------------------------------------------------------------------

    def _units(self) -> list[list[int]]:
        """Indexes of the visible items, in groups that go on one line together."""
        units: list[list[int]] = []
        joined = False
        for i, item in enumerate(self._items):
            if item.isEmpty():  # a hidden widget
                continue
            if joined:
                units[-1].append(i)
            else:
                units.append([i])
            joined = self._with_next[i]
        return units

    def _unit_width(self, unit: list[int]) -> int:
        return sum(self._items[i].sizeHint().width() for i in unit) + self._inner * (len(unit) - 1)

    def _arrange(self, rect: QRect, *, place: bool) -> int:
        """Lay the items out in `rect` (or only measure); returns the height they take."""
        margins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        width = max(1, area.width())
        lines: list[list[list[int]]] = []
        used = 0
        for unit in self._units():
            unit_width = min(self._unit_width(unit), width)
            if lines and used + self._spacing + unit_width <= width:
                lines[-1].append(unit)
                used += self._spacing + unit_width
            else:
                lines.append([unit])
                used = unit_width
        y = area.y()
        for line in lines:
            items = [i for unit in line for i in unit]
            hints = {i: self._items[i].sizeHint() for i in items}
            gaps = self._spacing * (len(line) - 1) + sum(self._inner * (len(unit) - 1) for unit in line)
            spare = width - gaps - sum(hints[i].width() for i in items)
            stretch = sum(self._stretch[i] for i in items)
            height = max(hints[i].height() for i in items)
            x = area.x()
            for unit in line:
                for i in unit:
                    extra = spare * self._stretch[i] // stretch if stretch and spare > 0 else 0
                    item_width = max(0, min(hints[i].width() + extra, area.right() + 1 - x))
                    if place:
                        top = y + (height - hints[i].height()) // 2
                        self._items[i].setGeometry(
                            QRect(QPoint(x, top), QSize(item_width, hints[i].height()))
                        )
                    x += item_width + self._inner
                x += self._spacing - self._inner
            y += height + self._line_spacing
        used_height = y - area.y() - (self._line_spacing if lines else 0)
        return used_height + margins.top() + margins.bottom()
