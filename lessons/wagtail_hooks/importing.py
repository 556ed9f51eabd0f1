"""Wagtail hooks: importing."""
