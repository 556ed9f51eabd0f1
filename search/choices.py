"""Where each facet's values and their labels come from: {code: label} in display order,
read from the editable taxonomy (or the code, for document types)."""
from lessons.models import DOCUMENT_TYPES
from lessons.models import Kanwil, LegalProvision, Obstacle, Stage


def stages():
    return {s.code: s.label for s in Stage.objects.order_by("order")}  # procedural order


def obstacles():
    return {o.code: o.label for o in sorted(Obstacle.objects.all(), key=lambda o: o.label)}


def kanwils():
    return {k.code: k.name for k in Kanwil.objects.order_by("name")}


def document_types():
    return {code: str(model._meta.verbose_name).capitalize() for code, model in DOCUMENT_TYPES.items()}


def provisions():
    return {p.code: str(p) for p in LegalProvision.objects.order_by("id")}
