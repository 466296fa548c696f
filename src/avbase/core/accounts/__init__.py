"""Organisations, users, roles, sessions, API tokens and who may see what."""
