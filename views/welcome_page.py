"""The first-run page, shown while the database has no children: three ways to begin."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """Offers demonstration data, an import, or a first child.

    Signals:
        demo_requested(): load fictional demonstration children.
        import_requested(): import the council's files (the import dialog).
        new_child_requested(): add a first child by hand.
    """

    demo_requested = Signal()
    import_requested = Signal()
    new_child_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        panel = QFrame(self)
        panel.setObjectName("welcomePanel")
        panel.setFixedWidth(640)  # a fixed width lets the wrapped notes work out their height
        panel.setStyleSheet("QFrame#welcomePanel { background: palette(base); border-radius: 8px; }")

        title = QLabel("<h1>Welcome to Permanence Tracker</h1>", panel)
        intro = QLabel(
            "The tracker keeps the statutory clocks of every child's journey: child protection, "
            "pre-proceedings, care proceedings, looked-after reviews and dispute resolution. "
            "There are no children in this database yet. How would you like to begin?",
            panel,
        )
        intro.setWordWrap(True)

        self.demo_button = QPushButton("Load demonstration data…", panel)
        self.demo_button.setObjectName("welcomeDemo")
        demo_note = QLabel(
            "Fictional children (200 by default) with made-up names and IDs starting DEMO-, to try "
            "the tracker out or to train. <b>They are not real people.</b>",
            panel,
        )
        self.import_button = QPushButton("Import the council's files…", panel)
        self.import_button.setObjectName("welcomeImport")
        import_note = QLabel(
            "Ofsted Annex A, SSDA903 or CIN census returns, your own spreadsheets, or a journey "
            "file: see what will come in before anything is saved.",
            panel,
        )
        self.new_child_button = QPushButton("Add a first child…", panel)
        self.new_child_button.setObjectName("welcomeNewChild")
        new_note = QLabel("Type in a child's details, then record events on their record.", panel)

        layout = QVBoxLayout(panel)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(intro)
        for button, note in (
            (self.demo_button, demo_note),
            (self.import_button, import_note),
            (self.new_child_button, new_note),
        ):
            note.setWordWrap(True)
            note.setStyleSheet("color: #3c4043; margin-left: 4px; margin-bottom: 8px;")
            button.setMinimumHeight(36)
            layout.addSpacing(6)
            layout.addWidget(button)
            layout.addWidget(note)

        # Wrapped labels in a centred panel get their one-line height unless told the width they have.
        text_width = panel.width() - 64 - 8
        for label in (intro, demo_note, import_note, new_note):
            label.setMinimumHeight(label.heightForWidth(text_width) + 4)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.demo_button.clicked.connect(self.demo_requested)
        self.import_button.clicked.connect(self.import_requested)
        self.new_child_button.clicked.connect(self.new_child_requested)
