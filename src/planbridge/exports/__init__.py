"""Saved export actions: named CSV or TXT extracts of one feed table, materialised once per
published version as an immutable file with a manifest (rows, bytes, SHA-256)."""
