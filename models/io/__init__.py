"""Files in and out: journey files, spreadsheet exports (each audited) and demonstration data."""
