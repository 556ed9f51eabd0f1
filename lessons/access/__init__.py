"""Who may read and administer what: the readers' rules from Wagtail page privacy (rules.py),
the admin scoped to a Kanwil (admin_scope.py, admin_chooser.py, admin_urls.py) and the audit
trail of privacy and attachment changes (audit.py)."""
