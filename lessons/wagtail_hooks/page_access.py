"""Wagtail hooks: a password-restricted page is for nobody (see lessons.access.rules)."""
from django.http import Http404
from django.utils.cache import add_never_cache_headers
from wagtail import hooks

from lessons.access.rules import password_protected


@hooks.register("before_serve_page")
def password_pages_are_for_nobody(page, request, serve_args, serve_kwargs):
    """Wagtail would ask for the password, and a right password would open the page to any
    officer. Superusers read it like a page restricted to no group; others get a 404.
    before_serve_page hooks run ahead of Wagtail's privacy check (an on_serve_page
    wrapper), so serving here is what lets superusers past the password form."""
    if not password_protected(page):
        return None
    if not request.user.is_superuser:
        raise Http404
    response = page.serve(request, *serve_args, **serve_kwargs)
    add_never_cache_headers(response)  # as Wagtail does for every restricted page
    return response
