"""FlowLayout: one full-width line when there is room, more lines when there is not."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QComboBox, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from views.flow_layout import FlowLayout


def _bar(qtbot: QtBot) -> tuple[QWidget, FlowLayout, list[tuple[QLabel, QComboBox]], QPushButton]:
    bar = QWidget()
    qtbot.addWidget(bar)
    flow = FlowLayout(bar)
    pairs = []
    for name in ("Show", "Kind", "Stage", "Category", "Raised by", "Team"):
        caption, combo = QLabel(name + ":", bar), QComboBox(bar)
        combo.addItem("Any " + name.lower())
        flow.add(caption, with_next=True)
        flow.add(combo, 1)
        pairs.append((caption, combo))
    button = QPushButton("Clear filters", bar)
    flow.add(button)
    return bar, flow, pairs, button


def _widgets(pairs: list[tuple[QLabel, QComboBox]], button: QPushButton) -> list[QWidget]:
    return [w for pair in pairs for w in pair] + [button]


def test_a_wide_bar_is_one_line_filled_by_the_stretched_items(qtbot: QtBot) -> None:
    _, flow, pairs, button = _bar(qtbot)
    width = flow.sizeHint().width() + 300
    flow.setGeometry(QRect(0, 0, width, flow.heightForWidth(width)))
    widgets = _widgets(pairs, button)
    assert len({w.geometry().center().y() for w in widgets}) == 1
    assert button.geometry().right() == width - 1  # the spare width went to the combos
    extra = [combo.width() - combo.sizeHint().width() for _, combo in pairs]
    assert min(extra) > 0 and max(extra) - min(extra) <= 1  # shared equally (equal stretch)
    assert flow.heightForWidth(width) == max(w.sizeHint().height() for w in widgets)


def test_a_narrow_bar_wraps_keeping_each_caption_with_its_field(qtbot: QtBot) -> None:
    _, flow, pairs, button = _bar(qtbot)
    width = flow.sizeHint().width() // 2
    height = flow.heightForWidth(width)
    flow.setGeometry(QRect(0, 0, width, height))
    lines = {w.geometry().center().y() for w in _widgets(pairs, button)}
    assert len(lines) >= 2
    assert height > flow.heightForWidth(flow.sizeHint().width())
    for caption, combo in pairs:
        assert caption.geometry().center().y() == combo.geometry().center().y()
        assert caption.geometry().right() < combo.geometry().left()
    boxes = [w.geometry() for w in _widgets(pairs, button)]
    for box in boxes:
        assert box.left() >= 0 and box.right() < width and box.bottom() < height
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_the_minimum_is_the_widest_caption_and_field_not_the_row(qtbot: QtBot) -> None:
    _, flow, pairs, button = _bar(qtbot)
    widest = max(c.minimumSizeHint().width() + 4 + f.minimumSizeHint().width() for c, f in pairs)
    assert flow.minimumSize().width() == max(widest, button.minimumSizeHint().width())
    assert flow.minimumSize().width() < flow.sizeHint().width() // 3


def test_hidden_widgets_take_no_room(qtbot: QtBot) -> None:
    bar, flow, pairs, _ = _bar(qtbot)
    bar.show()
    before = flow.sizeHint().width()
    pairs[0][0].hide()
    pairs[0][1].hide()
    flow.invalidate()
    assert flow.sizeHint().width() < before - pairs[0][1].sizeHint().width()


def test_items_can_be_taken_out(qtbot: QtBot) -> None:
    bar, flow, _, button = _bar(qtbot)
    assert bar.layout() is flow
    count = flow.count()
    item = flow.takeAt(count - 1)
    assert item is not None and item.widget() is button
    assert flow.count() == count - 1 and flow.itemAt(count - 1) is None and flow.takeAt(99) is None
