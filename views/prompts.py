"""Every static `QMessageBox` / `QFileDialog` / `QInputDialog` call, in one thin module tests can patch.

Each function blocks until the person answers and returns a plain value; nothing else in the
application opens a modal prompt itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox, QWidget

from models.storage.backup import BackupInfo

JOURNEY_FILTER = "Journey files (*.json);;All files (*)"


def ask_save_journey(parent: QWidget | None, suggested: Path) -> Path | None:
    """Where to export the journey file, or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, "Export a journey file", str(suggested), JOURNEY_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".json")


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


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text typed by the person, or None if cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


def show_about(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.about(parent, title, text)


def show_info(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


# --- Data safety: opening, damage, exports ---------------------------------------------------------

CSV_FILTER = "CSV files (*.csv);;All files (*)"


def ask_passphrase(parent: QWidget | None, path: Path, error: str | None = None) -> str | None:
    """The passphrase of an encrypted database file, or None when the person chose to quit."""
    from views.passphrase_dialog import PassphraseDialog

    return PassphraseDialog.ask(
        parent,
        f"Type the passphrase of\n{path}\nto open it. Without it the records cannot be read.",
        error,
    )


def ask_server_password(parent: QWidget | None, message: str) -> str | None:
    """The team server's password (not kept anywhere but the open connection), or None to quit."""
    from views.passphrase_dialog import PassphraseDialog

    return PassphraseDialog.ask(
        parent,
        f"{message}\nType your password for it. To be asked no more, put it in ~/.pgpass (mode 0600).",
        None,
    )


def ask_restore_damaged(parent: QWidget | None, path: Path, detail: str, backup: BackupInfo) -> bool:
    """The database is damaged: True to restore `backup` (the damaged file is kept aside), False to quit."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("The database is damaged")
    box.setText(f"The database {path.name} is damaged and cannot be opened safely.")
    box.setInformativeText(
        f"The newest good backup was taken on {backup.taken:%d/%m/%Y at %H:%M}. Restoring it puts it in "
        "place of the damaged file; changes made after that time will need to be entered again.\n\n"
        "The damaged file is not deleted: it is moved aside in the same folder, so the IT service desk "
        "can try to recover more from it."
    )
    box.setDetailedText(f"File: {path}\nProblem: {detail}\nBackup: {backup.path}")
    restore = box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button)
    box.exec()
    return box.clickedButton() is restore


def ask_save_csv(parent: QWidget | None, suggested: Path, title: str = "Export to a CSV file") -> Path | None:
    """Where to write a CSV export, or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), CSV_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".csv")


def show_warning(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


PDF_FILTER = "PDF files (*.pdf);;All files (*)"


def ask_save_pdf(
    parent: QWidget | None, suggested: Path, title: str = "Save the report as PDF"
) -> Path | None:
    """Where to save a report's PDF, or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), PDF_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def ask_print(parent: QWidget | None, printer: QPrinter, pages: int) -> bool:
    """The system's print dialog for `printer` (pages 1 to `pages`); True to print, False if cancelled."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the report")
    dialog.setMinMax(1, max(pages, 1))
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
    return dialog.exec() == QDialog.DialogCode.Accepted


IMPORT_FILTER = (
    "Council files (*.xlsx *.xlsm *.csv *.xml *.json *.xls);;Workbooks (*.xlsx *.xlsm);;"
    "CSV (*.csv);;XML (*.xml);;Journey files (*.json);;All files (*)"
)
XLSX_FILTER = "Excel workbooks (*.xlsx);;All files (*)"


def ask_open_import_files(parent: QWidget | None, folder: Path | None = None) -> list[Path]:
    """Files to import (Annex A, SSDA903, CIN census, spreadsheets, journey files); empty if cancelled."""
    names, _ = QFileDialog.getOpenFileNames(parent, "Import files", str(folder or ""), IMPORT_FILTER)
    return [Path(n) for n in names]


def ask_open_import_folder(parent: QWidget | None, folder: Path | None = None) -> Path | None:
    """A folder to import (an SSDA903 return's CSV tables, say), or None if cancelled."""
    name = QFileDialog.getExistingDirectory(parent, "Import a folder", str(folder or ""))
    return Path(name) if name else None


def ask_save_xlsx(parent: QWidget | None, suggested: Path, title: str) -> Path | None:
    """Where to write a workbook, or None if cancelled."""
    name, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), XLSX_FILTER)
    if not name:
        return None
    path = Path(name)
    return path if path.suffix else path.with_suffix(".xlsx")


def ask_folder(parent: QWidget | None, title: str, folder: Path | None = None) -> Path | None:
    """A folder to write files into, or None if cancelled."""
    name = QFileDialog.getExistingDirectory(parent, title, str(folder or Path.home()))
    return Path(name) if name else None
