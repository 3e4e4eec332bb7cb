"""The pure domain: the journey vocabulary, the rule catalogue, the calendar, the engine and
reporting periods. No database, no files, no clock, no Qt."""
