"""The Power BI source switch, feed tokens, fair use and the audit log."""
