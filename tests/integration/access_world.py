"""The world the access matrix reads: documents of two Kanwil in every publication state,
each carrying its own secret words (title, body, attachment file, slug), made through the
real page API (add, save revision, publish, unpublish, privacy) and indexed through the
real outbox into the test's private index alias.

A "part" is what one set of secrets belongs to: most documents have one; the document
with a newer secret draft has two, its live part (readable like any public document: the
matrix's positive control) and its draft part (readable by nobody on reader surfaces)."""
import datetime
import random
import string
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

from lessons.access import rules as access
from lessons.models import Attachment, Kanwil, LessonLearned, Obstacle, Stage
from portal.models import KanwilPage

KANWIL = ("kalbar", "sumsel")
ROLES = ("anonymous", "staf-kalbar", "editor-kalbar", "reviewer-kalbar",
         "staf-sumsel", "editor-sumsel", "reviewer-sumsel", "admin")
SECRET_KINDS = ("title", "body", "attachment", "slug")


def secret(kind):
    """A made-up word found nowhere else (letters only: one token for every analyser)."""
    return f"rhs{kind[:3]}" + "".join(random.choices(string.ascii_lowercase, k=12))


@dataclass
class Role:
    name: str

    @property
    def anonymous(self):
        return self.name == "anonymous"

    @property
    def admin(self):
        return self.name == "admin"

    @property
    def kanwil(self):
        return self.name.split("-", 1)[1] if "-" in self.name else None

    @property
    def may_edit_in(self):
        """The Kanwil whose pages this role may edit (editors and reviewers)."""
        return self.kanwil if self.name.split("-")[0] in ("editor", "reviewer") else None


@dataclass
class Part:
    """One set of secrets and the facts the expected rule needs."""
    state: str
    kanwil: str
    live: bool  # in the live version of a live page
    restricted_to: str | None = None  # the Kanwil whose groups may read it
    password: bool = False
    secrets: dict = field(default_factory=lambda: {kind: secret(kind) for kind in SECRET_KINDS})
    page: object = None
    document: object = None  # the attachment carrying secrets["attachment"]
    obstacle: object = None  # this part's own obstacle: its count shows whether the part is counted

    @property
    def label(self):
        return f"{self.state}@{self.kanwil}"

    def readable_by(self, role):
        """The rule for every reader surface: live content the role may read; the admin
        reads all live content; nothing else, to nobody."""
        if role.anonymous or not self.live:
            return False
        if role.admin:
            return True
        if self.password:
            return False
        return self.restricted_to is None or self.restricted_to == role.kanwil

    def downloadable_by(self, role):
        """Attachment files: readers as above; the Kanwil's editors and reviewers also get
        the files of pages they may edit, in any version (to review drafts); admin all."""
        if role.anonymous:
            return False
        return role.admin or self.readable_by(role) or role.may_edit_in == self.kanwil


@dataclass
class World:
    parts: list
    anchor: object  # a public page whose related-documents box the matrix reads
    shared_words: list
    kanwil_pages: dict
    home: object
    stage: object = None  # the stage every world page has (the stage page lists them all)

    def documents(self):
        return {part.page.pk: part.page for part in self.parts}


def _attachment_document(part):
    """A text file holding the part's attachment secret (the document title says nothing)."""
    word = part.secrets["attachment"]
    Document = get_document_model()
    document = Document(title="lampiran matriks", file=ContentFile(f"Catatan lampiran {word} selesai.".encode(),
                                                                   name=f"lampiran-{word[-6:]}.txt"))
    document._set_document_file_metadata()
    document.save()
    return document


def _new_page(kanwil_page, secrets, shared, stage, obstacle):
    page = LessonLearned(
        title=f"Pelajaran {secrets['title']} {' '.join(shared)}",
        slug=f"matriks-{secrets['slug']}",
        author_kanwil=kanwil_page.kanwil,
        summary="Ringkasan pelajaran uji matriks akses.",
        situation=f"Situasi perkara {secrets['body']} dengan {' '.join(shared)}.",
        live=False,
    )
    page.stages = [stage]
    page.obstacles = [obstacle]
    # Each page describes the other Kanwil's practice, so it is listed on that Kanwil's page too.
    page.practice_kanwils = [Kanwil.objects.get(code=next(c for c in KANWIL if c != kanwil_page.kanwil.code))]
    return page


def _restrict(page, kanwil_code=None, password=False):
    if password:
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD,
                                           password="sandi-bersama")
        return
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(*access.kanwil_groups(Kanwil.objects.get(code=kanwil_code)).values())


def build(admin):
    """Create the world; the caller drains the outbox into its private index."""
    kanwil_pages = {code: KanwilPage.objects.get(kanwil__code=code) for code in KANWIL}
    home = kanwil_pages["kalbar"].get_parent().specific
    # One stage for all (related documents share it); one obstacle per part, so a count
    # per obstacle (case path, obstacle page) tells whether that part was counted.
    stage, obstacles = Stage.objects.order_by("order").first(), list(Obstacle.objects.order_by("code"))
    # Rare words every world page shares, so related-document matching ranks them together.
    shared = [secret("shared"), secret("shared"), secret("shared")]
    parts = []

    def create(part, *, publish=True, go_live_at=None):
        part.obstacle = obstacles[len(parts)]
        page = _new_page(kanwil_pages[part.kanwil], part.secrets, shared, stage, part.obstacle)
        part.document = _attachment_document(part)
        page.attachments = [Attachment(document=part.document)]
        page.owner = admin
        page.go_live_at = go_live_at  # as the admin's schedule field sets it
        kanwil_pages[part.kanwil].add_child(instance=page)
        revision = page.save_revision(user=admin)
        if publish:
            revision.publish(user=admin)
        part.page = LessonLearned.objects.get(pk=page.pk)
        parts.append(part)
        return part.page

    create(Part("public", "kalbar", live=True))
    page = create(Part("restricted", "kalbar", live=True, restricted_to="kalbar"))
    _restrict(page, "kalbar")
    page = create(Part("restricted", "sumsel", live=True, restricted_to="sumsel"))
    _restrict(page, "sumsel")
    page = create(Part("password", "kalbar", live=True, password=True))
    _restrict(page, password=True)
    create(Part("draft", "kalbar", live=False), publish=False)
    create(Part("draft", "sumsel", live=False), publish=False)
    page = create(Part("unpublished", "kalbar", live=False))
    page.unpublish(user=admin)
    create(Part("scheduled", "kalbar", live=False), go_live_at=timezone.now() + datetime.timedelta(days=30))

    # Published, then a newer draft whose title, body and attachment are secret.
    live_part = Part("newer-draft:live", "kalbar", live=True)
    page = create(live_part)
    draft_part = Part("newer-draft:draft", "kalbar", live=False)
    draft_part.secrets["slug"] = live_part.secrets["slug"]  # one page, one slug (shown only if the page is)
    draft = page.get_latest_revision_as_object()
    draft.title = f"Pelajaran {draft_part.secrets['title']} {' '.join(shared)}"
    draft.situation = f"Situasi baru {draft_part.secrets['body']} dengan {' '.join(shared)}."
    draft_part.document = _attachment_document(draft_part)
    draft_part.obstacle = obstacles[len(parts)]  # in the draft only: counted nowhere unless the draft leaks
    draft.obstacles = [draft_part.obstacle]
    draft.attachments = [*draft.attachments.all(), Attachment(document=draft_part.document)]
    draft.save_revision(user=admin)
    draft_part.page = LessonLearned.objects.get(pk=page.pk)
    parts.append(draft_part)

    anchor = _new_page(kanwil_pages["kalbar"], {k: secret(k) for k in SECRET_KINDS}, shared, stage, obstacles[len(parts)])
    anchor.owner = admin
    kanwil_pages["kalbar"].add_child(instance=anchor)
    anchor.save_revision(user=admin).publish(user=admin)
    anchor = LessonLearned.objects.get(pk=anchor.pk)
    return World(parts=parts, anchor=anchor, shared_words=shared, kanwil_pages=kanwil_pages, home=home, stage=stage)


def users():
    User = get_user_model()
    return {user.username: user for user in User.objects.filter(username__in=ROLES)}
