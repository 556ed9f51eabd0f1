"""A refused publication answers with the page's editor and the findings listed, never
with an error page. The refusal itself is raised by the model (see privacy_guard), so this
covers every admin path that can publish: the workflow approval from the dashboard and its
modal, bulk actions and anything added later."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from wagtail.admin.messages import render as render_admin_message

from .guard import PrivacyPublicationBlocked, blocked_message, listed


def report_blocked(request, title, findings):
    """An error message naming each field with its masked excerpt."""
    items = format_html_join("", "<li>{}</li>", ((line,) for line in listed(findings)))
    messages.error(request, render_admin_message(
        blocked_message(title, findings), None, detail=format_html("<ul>{}</ul>", items)))


def edit_url(page_id):
    return reverse("wagtailadmin_pages:edit", args=[page_id]) if page_id else reverse("wagtailadmin_home")


class PrivacyGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PrivacyPublicationBlocked):
            return None
        report_blocked(request, exception.page_title, exception.findings)
        url = edit_url(exception.page_id)
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            # The shape Wagtail's workflow-action modal expects: it then opens `redirect`.
            return JsonResponse({"step": "success", "redirect": url})
        return redirect(url)
