"""Wagtail admin hooks of the lessons app, one module per concern."""
from . import admin_scope, attachments, audit, importing, page_access, privacy  # noqa: F401
