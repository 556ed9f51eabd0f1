"""Wagtail hooks: privacy guard. The model refuses publication of unreviewed personal
data (lessons.privacy.guard); these hooks stop the publish button early with a clear
message (the draft is kept) and name the audit-log entry of a reviewer's override."""
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from lessons.privacy import guard as privacy_guard
from lessons.privacy.middleware import edit_url, report_blocked


@hooks.register("register_log_actions")
def register_privacy_log_actions(actions):
    @actions.register_action(privacy_guard.OVERRIDE_ACTION)
    class PrivacyOverrideFormatter(LogFormatter):
        label = _("Terbit dengan izin reviewer atas temuan privasi")

        def format_message(self, log_entry):
            findings = log_entry.data.get("findings", [])
            reviewer = log_entry.data.get("reviewer") or "?"
            return _("Diterbitkan dengan %(count)d temuan privasi atas izin reviewer %(reviewer)s: %(where)s") % {
                "count": len(findings), "reviewer": reviewer,
                "where": "; ".join(f"{f.get('label')} ({f.get('kind')})" for f in findings[:5]),
            }


@hooks.register("before_publish_page")
def stop_publishing_unreviewed_findings(request, page):
    """Publish button (edit and create views): the revision is already saved as a draft."""
    if not hasattr(page, "privacy_override"):
        return None
    findings = privacy_guard.blocking_findings(page)
    if not findings:
        return None
    report_blocked(request, page.title, findings)
    return redirect(edit_url(page.pk))
