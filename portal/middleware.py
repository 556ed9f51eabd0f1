"""The portal is an intranet: every URL needs a logged-in user, except the ways to log in."""
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.urls import reverse

OPEN_PREFIXES = ("/static/", "/favicon.ico", "/i18n/", "/healthz")
ADMIN_PREFIX = "/admin/"


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated or self._is_open(request.path_info):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"error": "Autentikasi diperlukan / authentication required."}, status=401)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)

    @staticmethod
    def _is_open(path):
        open_paths = {reverse("login"), reverse("wagtailadmin_login")}
        return path in open_paths or path.startswith(OPEN_PREFIXES)


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the reader chose English with the switch (a cookie): office
    browsers often announce English without their users wanting it."""

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with a second policy for the Wagtail admin (settings
    CONTENT_SECURITY_POLICY_ADMIN): some Wagtail widgets still initialise themselves with
    inline scripts, and its live preview shows pages in a frame of the editor. The
    reader-facing pages keep the strict CONTENT_SECURITY_POLICY. A view's own csp
    decorators still win."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and self._is_admin(request):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts

    @staticmethod
    def _is_admin(request):
        # Wagtail renders a preview by running a made-up request for the page's public URL
        # through the middleware (marked is_dummy); the result is only shown in the admin.
        return request.path_info.startswith(ADMIN_PREFIX) or getattr(request, "is_dummy", False)
