"""Bounds on a file's YAML front matter, checked before it is composed: PyYAML composes
nested nodes recursively and expands aliases by reference (a few hundred bytes can stand
for billions of items once walked). Linear in the input; returns limits.Exceeded items."""
import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from .limits import Exceeded


def front_matter_problems(front, loader, events=None):
    """Size, nesting depth and alias use of a front matter text, from YAML events only
    (the event parser keeps an explicit stack; it is the composer that recurses). `events`,
    a list, receives every event of the text when it was read to its end within the limits,
    so that the load can compose them instead of scanning the text a second time."""
    size = len(front.encode("utf-8", "surrogatepass"))
    if size > settings.FRONT_MATTER_MAX_BYTES:
        return [Exceeded(_("front matter berukuran %(size)s bita; batasnya %(limit)s bita")
                         % {"size": f"{size:,}", "limit": f"{settings.FRONT_MATTER_MAX_BYTES:,}"})]
    # PyYAML's scanner is quadratic in flow nesting ([[[[...), so that is counted first,
    # by characters (a bracket inside quotes counts too: no real value nests eight deep).
    depth = 0
    for number, line in enumerate(front.split("\n"), start=1):
        for ch in line:
            depth = depth + 1 if ch in "[{" else max(0, depth - 1) if ch in "]}" else depth
            if depth > settings.FRONT_MATTER_MAX_DEPTH:
                return [Exceeded(_("front matter bersarang terlalu dalam (lebih dari %(limit)s tingkat)")
                                 % {"limit": settings.FRONT_MATTER_MAX_DEPTH}, number)]
    depth, aliases = 0, 0
    read = []
    try:
        for event in yaml.parse(front, Loader=loader):
            read.append(event)
            line = event.start_mark.line + 1 if event.start_mark else None
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > settings.FRONT_MATTER_MAX_DEPTH:
                    return [Exceeded(_("front matter bersarang terlalu dalam (lebih dari %(limit)s tingkat)")
                                     % {"limit": settings.FRONT_MATTER_MAX_DEPTH}, line)]
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > settings.FRONT_MATTER_MAX_ALIASES:
                    return [Exceeded(_("front matter memakai alias YAML (*%(name)s); tulis nilainya langsung")
                                     % {"name": str(event.anchor)[:40]}, line)]
    except yaml.YAMLError:
        return []  # the real load reports the syntax error with its line
    if events is not None:
        events.extend(read)
    return []


class AliasLimitedComposer:
    """Mixin for a loader: refuses more aliases than allowed even if the pre-scan was skipped."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > settings.FRONT_MATTER_MAX_ALIASES:
                event = self.peek_event()
                raise yaml.composer.ComposerError(None, None, _("alias YAML tidak diizinkan"), event.start_mark)
        return super().compose_node(parent, index)
