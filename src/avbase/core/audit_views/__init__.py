"""Browsing and exporting the audit log (administrators only)."""
