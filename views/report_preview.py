"""The report preview: the built PDF in a `QPdfView`, with Print and Save as PDF.

Printing renders each page with `QPdfDocument.render` onto the `QPrinter` the system's print dialog
set up, scaled to the printable area with its aspect ratio kept and centred; the page range chosen
in the dialog is honoured. Saving writes the very bytes previewed. Both leave an audit row
("print" / "export-report"), since they take children's data out of the tracker.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.io.audited_export import ExportFailed
from models.reports.common import ReportRequest
from models.reports.registry import READ_ONLY_SAVE, REPORTS, record_print, save_report
from models.storage.db import Database
from views import prompts
from views.screen_fit import fit_to_screen

#: Pages are rendered for the printer at this resolution at most (a 300 dpi A4 page is ~35 MB).
PRINT_DPI = 300


class ReportPreview(QDialog):
    """A report's PDF on screen, ready to print or save.

    Args:
        pdf: the report's bytes, as built.
        request: what the report is (for the window title, the file name and the audit row).
        db: where the audit rows of prints and saves go (None: not audited, e.g. a test of the view).

    Signals:
        printed(int): the number of pages sent to the printer.
        saved(str): the path the PDF was written to.
    """

    printed = Signal(int)
    saved = Signal(str)

    def __init__(
        self, pdf: bytes, request: ReportRequest, db: Database | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.request = request
        self.db = db
        self.title = REPORTS[request.name].title
        self.setWindowTitle(f"{self.title}: {request.period.label}, as of {request.as_of:%d/%m/%Y}")
        self.setModal(False)
        fit_to_screen(self, QSize(1100, 800))  # Print / Save / Close stay on a 1366 x 768 screen

        # The document reads from the buffer for as long as it is open: both live with the dialog.
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        pages = self.page_count()
        self.pages_label = QLabel(f"{pages} page{'s' if pages != 1 else ''}", self)
        self.print_button = QPushButton("&Print…", self)
        self.print_button.setToolTip("Print the report on a printer of your choice (Ctrl+P)")
        self.save_button = QPushButton("&Save as PDF…", self)
        self.save_button.setToolTip("Save the report as a PDF file (Ctrl+S)")
        self.close_button = QPushButton("Close", self)

        bar = QHBoxLayout()
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button.clicked.connect(self.close)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self, self.print_report)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_pdf)

    def page_count(self) -> int:
        return int(self.document.pageCount())

    # --- Print ------------------------------------------------------------------------------

    def make_printer(self) -> QPrinter:
        """A printer set up for the report: A4, in the orientation of its first page."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"{self.title} {self.request.period.label}")
        printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        first = self.document.pagePointSize(0)
        landscape = first.width() > first.height()
        printer.setPageOrientation(
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        )
        return printer

    def print_report(self) -> bool:
        """Ask for a printer with the system's dialog and print; False if cancelled."""
        pages = self.page_count()
        printer = self.make_printer()
        if not prompts.ask_print(self, printer, pages):
            return False
        try:
            printed = print_document(self.document, printer)
        except OSError as exc:
            prompts.show_error(self, "The report was not printed", str(exc))
            return False
        if self.db is not None:
            record_print(self.db, self.request, printed, printer.printerName() or printer.outputFileName())
        self.printed.emit(printed)
        return True

    # --- Save -------------------------------------------------------------------------------

    def save_pdf(self) -> Path | None:
        """Ask where to save the PDF and write it; None if cancelled or it could not be written."""
        if self.db is not None and self.db.read_only:  # said before a file is asked for
            prompts.show_error(self, "The report was not saved", READ_ONLY_SAVE)
            return None
        path = prompts.ask_save_pdf(self, _documents_folder() / self.request.file_name())
        if path is None:
            return None
        try:
            if self.db is not None:
                path = save_report(self.db, self.request, self.pdf, path)
            else:
                path.write_bytes(self.pdf)
        except ExportFailed as exc:
            prompts.show_error(self, "The report was not saved", str(exc))
            return None
        except OSError as exc:
            prompts.show_error(self, "The report was not saved", f"Cannot write {path}: {exc.strerror}.")
            return None
        self.saved.emit(str(path))
        return path

    def _on_print_button_clicked(self) -> None:
        self.print_report()

    def _on_save_button_clicked(self) -> None:
        self.save_pdf()


def print_document(document: QPdfDocument, printer: QPrinter, dpi: int = PRINT_DPI) -> int:
    """Render the document's pages (the printer's page range, or all) onto the printer; the count.

    Each page is rendered at up to `dpi` and scaled into the printable area with its aspect ratio
    kept, centred.
    """
    total = int(document.pageCount())
    first, last = printer.fromPage(), printer.toPage()
    if first <= 0:
        first, last = 1, total
    last = min(last if last > 0 else total, total)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("The printer could not be started.")
    try:
        resolution = min(dpi, printer.resolution())
        for number in range(first, last + 1):
            if number > first:
                printer.newPage()
            points = document.pagePointSize(number - 1)
            size = QSize(round(points.width() * resolution / 72), round(points.height() * resolution / 72))
            image = document.render(number - 1, size)
            area = painter.viewport()
            fitted = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                area.x() + (area.width() - fitted.width()) // 2,
                area.y() + (area.height() - fitted.height()) // 2,
                fitted.width(),
                fitted.height(),
            )
            painter.drawImage(target, image)
    finally:
        painter.end()
    return last - first + 1


def _documents_folder() -> Path:
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
