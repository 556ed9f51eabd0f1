"""Wagtail hooks: attachments."""
