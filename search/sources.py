"""Where each index field's value comes from: one small function per field, from the facts
of one live document page (schema.FIELDS names them). Facts several fields share (the
related rows, the date, the access tokens) are read once per page."""
from dataclasses import dataclass
from functools import cached_property

from lessons.access import rules as access
from lessons.markdown.rendering import strip_markdown_residue


@dataclass
class PageFacts:
    page: object  # a specific live document page, its related rows prefetched
    restrictions: list | None = None  # lessons.access.group_restrictions(), shared by a batch

    @cached_property
    def stages(self):
        return list(self.page.stages.all())

    @cached_property
    def obstacles(self):
        return list(self.page.obstacles.all())

    @cached_property
    def provisions(self):
        return list(self.page.provisions.all())

    @cached_property
    def kanwils(self):
        """Author and host (study visits) Kanwil."""
        return [k for k in (self.page.author_kanwil, getattr(self.page, "host_kanwil", None)) if k]

    @cached_property
    def practice_kanwils(self):
        return sorted(self.page.practice_kanwils.all(), key=lambda k: k.name)

    @cached_property
    def date(self):
        page = self.page
        return page.date or (page.first_published_at.date() if page.first_published_at else None)

    @cached_property
    def access(self):
        return access.access_tokens_for_page(self.page, self.restrictions)


def title(facts):
    return facts.page.title


def summary(facts):
    # Editors may type Markdown in the summary; highlights cut from it must not show its syntax.
    return strip_markdown_residue(facts.page.summary or "")


def body(facts):
    return "\n\n".join(part for part in facts.page.text_sections() if part)


def attachments(facts):
    return facts.page.attachment_text()


def facet_text(facts):
    return "\n".join(
        [str(facts.page.get_verbose_name())]
        + [s.name for s in facts.stages] + [o.name for o in facts.obstacles]
        + [f"{p.article} {p.title}" for p in facts.provisions]
        + [f"{k.short_name} {k.name}" for k in facts.kanwils]
    )


def type_code(facts):
    return facts.page.type_code


def author_kanwil(facts):
    return facts.page.author_kanwil.code if facts.page.author_kanwil else None


def host_kanwil(facts):
    host = getattr(facts.page, "host_kanwil", None)
    return host.code if host else None


def kanwil_any(facts):
    return sorted({k.code for k in facts.kanwils})


def practice_kanwils(facts):
    return [k.code for k in facts.practice_kanwils]


def experience_kanwils(facts):
    return sorted({k.code for k in facts.kanwils} | {k.code for k in facts.practice_kanwils})


def kanwil_roles(facts):
    """[{code, role}] in reading order (lessons' DocumentPage.kanwil_roles); labels are added
    when results are shown, in the reader's language."""
    return [{"code": kanwil.code, "role": role} for kanwil, role in facts.page.kanwil_roles()]


def stages(facts):
    return [s.code for s in facts.stages]


def obstacles(facts):
    return [o.code for o in facts.obstacles]


def provisions(facts):
    return [p.code for p in facts.provisions]


def date(facts):
    return facts.date


def year(facts):
    return facts.date.year if facts.date else None


def published_at(facts):
    return facts.page.last_published_at


def url(facts):
    return facts.page.get_url()


def access_tokens(facts):
    return facts.access


# The completion context every document carries besides its access tokens: the one an
# unrestricted reader asks for. No reader's access tokens include it ('all', 'group:<id>').
EVERY_DOCUMENT = "every-document"


def suggest(facts):
    return {"input": title_suggest_inputs(facts.page.title),
            "contexts": {"access": [*facts.access, EVERY_DOCUMENT]}}


def title_suggest_inputs(title, max_words=12):
    """The title from each word on, so typing any word of it (not only the first) completes it."""
    words = title.split()
    return [" ".join(words[i:]) for i in range(min(len(words), max_words)) if len(words[i]) > 2 or i == 0]
