"""Where each facet's values and their labels come from: {code: label} in display order,
read from the editable taxonomy through the process-wide reference cache (or the code, for
document types)."""
from lessons.content import reference_cache
from lessons.models import DOCUMENT_TYPES


def stages():
    return {s.code: s.label for s in reference_cache.get("stages")}  # procedural order


def obstacles():
    return {o.code: o.label for o in sorted(reference_cache.get("obstacles"), key=lambda o: o.label)}


def kanwils():
    return {k.code: k.name for k in reference_cache.get("kanwil")}


def document_types():
    return {code: str(model._meta.verbose_name).capitalize() for code, model in DOCUMENT_TYPES.items()}


def provisions():
    return {p.code: str(p) for p in reference_cache.get("provisions")}
