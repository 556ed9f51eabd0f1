"""Wagtail admin hooks of the lessons app, one module per concern."""
from . import attachments, importing, page_access, privacy  # noqa: F401
