"""The database: engine and pragmas, tables, schema steps, use cases that read and write in one
audited transaction, the bulk read, backups and the audit log."""
