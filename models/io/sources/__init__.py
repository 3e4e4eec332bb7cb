"""Readers of a council's own files: Ofsted Annex A, SSDA903, CIN census, and any CSV or XLSX
through a saved column mapping; format detection; merging with the database and the preview.

Each reader's docstring gives its mapping to journey events; `merge` turns what they read into
journey children and imports them through `models.io.journey_io` (one transaction, audited).
"""
