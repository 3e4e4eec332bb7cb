"""Printed reports: Qt-free builders (reportlab platypus), one module per report.

`registry` maps a report's name to its builder; the names are listed here too so that the command
line can offer them without importing reportlab.
"""

from typing import Final

#: The reports by name, in the order the menu and the command line list them.
REPORT_NAMES: Final = (
    "tracker",
    "drp",
    "court",
    "plo",
    "permanence",
    "chronology",
    "pack",
    "board",
    "forum",
    "caseloads",
    "court-chronology",
)
