"""Markdown: safe rendering (rendering.py) within bounds checked before any parsing (limits.py),
parsing files with front matter (parsing.py, sections.py; pure) and importing them as pages
(importing.py, import_privacy.py, the admin upload view import_views.py)."""
