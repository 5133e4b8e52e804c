"""Accounts: passwords, set-password links, sign-in throttling and browser sessions."""
