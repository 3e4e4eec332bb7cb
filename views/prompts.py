"""Every static `QMessageBox` / `QFileDialog` / `QInputDialog` call, in one thin module tests can patch.

Each function blocks until the person answers and returns a plain value; nothing else in the
application opens a modal prompt itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

JOURNEY_FILTER = "Journey files (*.json);;All files (*)"


def ask_open_journey(parent: QWidget | None, folder: Path | None = None) -> Path | None:
    """A journey file to import, or None if cancelled."""
    name, _ = QFileDialog.getOpenFileName(parent, "Import a journey file", str(folder or ""), JOURNEY_FILTER)
    return Path(name) if name else None


def ask_save_journey(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to export the journey file, or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, "Export a journey file", str(suggested), JOURNEY_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".json")


def ask_import_valid_only(parent: QWidget | None, message: str, report: str) -> bool:
    """Show the file's errors; True to import only the valid children, False to import nothing."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("The journey file has errors")
    box.setText(message)
    box.setInformativeText(
        "Nothing has been imported. You can import only the children without errors, "
        "or cancel, correct the file and import it again. The details list every error."
    )
    box.setDetailedText(report)
    valid_only = box.addButton("Import the valid children only", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is valid_only


def ask_demo_children(parent: QWidget | None, default: int = 200) -> int | None:
    """How many fictional children to add, or None if cancelled."""
    count, ok = QInputDialog.getInt(
        parent,
        "Load demonstration data",
        "Add fictional children (made-up names, IDs starting DEMO-) to try the tracker out.\n"
        "They are not real people. How many?",
        default,
        1,
        150_000,
        100,
    )
    return count if ok else None


def confirm(parent: QWidget | None, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)
