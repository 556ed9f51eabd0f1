"""Wagtail admin hooks of the lessons app, one module per concern."""
from . import attachments, importing, privacy  # noqa: F401
