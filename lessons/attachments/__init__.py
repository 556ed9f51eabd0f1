"""Attachment files: kind detection and bounded text extraction (files.py; PDFs parsed in the
child process attachment_worker.py) and the upload and replacement rules of Wagtail's
document form (document_forms.py)."""
