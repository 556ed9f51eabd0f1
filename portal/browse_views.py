"""The stage and obstacle landing pages (/tahapan/<code>/, /kendala/<code>/)."""
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from lessons.content.taxonomy import Obstacle, Stage

from . import browsing


def _find(model, code):
    """The taxonomy entry with this code, or the site's 404 page (never a 500)."""
    item = model.objects.filter(code=code).first()
    if item is None:
        raise Http404(_("Kode tidak dikenal."))
    return item


def stage_page(request, code):
    stage = _find(Stage, code)
    ordered = [s for s in Stage.objects.order_by("order", "code") if s.code not in browsing.EXIT_CODES]
    position = next((i for i, s in enumerate(ordered) if s.pk == stage.pk), None)
    return render(request, "portal/stage_page.html", {
        "landing": browsing.landing(request.user, "stage", stage),
        "stage": stage,
        "is_exit": stage.code in browsing.EXIT_CODES,
        "position": None if position is None else position + 1,
        "path_length": len(ordered),
        "previous": ordered[position - 1] if position else None,
        "next": ordered[position + 1] if position is not None and position + 1 < len(ordered) else None,
    })


def obstacle_page(request, code):
    obstacle = _find(Obstacle, code)
    return render(request, "portal/obstacle_page.html", {
        "landing": browsing.landing(request.user, "obstacle", obstacle),
        "obstacle": obstacle,
    })
