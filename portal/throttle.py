"""Login throttling glue for django-axes: which address a login comes from, and the page a
locked-out user sees. Both the portal login (/masuk/) and the Wagtail admin login
(/admin/login/) authenticate through django.contrib.auth, so axes guards both."""
import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render


def client_ip(request):
    """The address a login is counted against.

    Without a trusted proxy this is the socket peer (REMOTE_ADDR): X-Forwarded-For is
    written by the client and would let an attacker pick a fresh address per attempt.
    Behind LINTAS_TRUSTED_PROXY_COUNT proxies, each of them appends the address it
    received the request from, so the entry that many places from the right is the one
    the outermost trusted proxy saw; everything to its left may be forged."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.LINTAS_TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote  # the request did not pass through all the proxies
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def lockout_response(request, original_response=None, credentials=None):
    """A friendly page instead of axes' plain text, with HTTP 429 (Too Many Requests)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    """For the test settings only: Django's test client `login()` calls authenticate()
    without a request, which axes refuses with an error. Such calls do not come from a
    login form, so there is nothing to throttle; every request-carrying login (the
    portal and admin forms, also in tests) is still checked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
