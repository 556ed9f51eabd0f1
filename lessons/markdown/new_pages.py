"""A bulk import batch's NEW documents, created together instead of one page at a time.

The per-file path (importing._import_parsed) creates a page in three full saves (treebeard's
add_child, save_revision, the publication), each validating the page, committing its
many-to-many rows and writing a log entry, and deserialises the revision twice. Here the same
decisions are made by the same functions, and only the writing is grouped. The result is the
per-file path's, field by field (tests/integration/test_import_together.py compares them):

- checked per file, before anything is written: the references and the Kanwil section
  (importing.section_of, by the caller), the permissions (importing.refusal, once per section
  and batch), the column lengths (importing.length_problems), then Page.full_clean (what the
  publication's save runs, or save_revision for a draft; whether its foreign keys' targets
  exist is asked once per field for the whole batch, see batch_checks) and the privacy guard
  (privacy_guard.ensure_publishable, what DocumentPage.publish runs), on the page as it would
  be then, reporting the problems the per-file path reports first (see _validate). A file
  that fails is reported with them and writes nothing;
- the tree position as treebeard's add_child computes it (the section row locked and read
  again, its last child read once per batch, each path incremented with treebeard's own
  _inc_path, the section's numchild raised once), url_path by Page.set_url_path, the locale
  by Page.get_default_locale (once per section: the parent's);
- rows: wagtailcore_page in one bulk_create (Page is a concrete model of its own, so Django
  supports it), in its final state; each document type's own row by save_base(raw=True,
  force_insert=True), the way loaddata writes a multi-table-inheritance row whose parent row
  exists (Django's bulk_create refuses such models, since it cannot return the parent ids to
  the child rows; a raw save writes exactly the model's own table, one INSERT, and sends
  post_save with raw=True, which the receivers here ignore as they do for fixtures); the
  revisions in one bulk_create, with the content save_revision stores (serializable_data() of
  the page in the state save_revision sees); the links to them in one UPDATE; the
  ParentalManyToMany rows in one bulk_create per field; the log entries Wagtail writes
  (wagtail.create, wagtail.edit, wagtail.publish), built as its log registry builds them, in
  one bulk_create;
- then, per page, what follows the writes: the view restriction through import_privacy.apply
  (its own signals: Wagtail's and the audit's log entries, the search outbox), the reference
  index (ReferenceIndex.create_or_update_for_object, what the deferred flush would run, from
  the page in memory) and page_published and Wagtail's generic `published`, sent as the
  publication sends them, so every receiver runs: the search outbox, the privacy audit,
  pending restrictions, the page cache (the outbox rows written in one statement for the
  batch, outbox.batched; the pending restriction receiver given each page's one revision,
  import_privacy.revisions_known, instead of reading it); the search entries are left to
  deferred_indexing.flush with the rest of the batch.

Not sent, because nothing listens to them for a new page: post_save of the Revision rows (the
attachment audit compares attachments, which a new page has none of) and of the page rows
(the raw save sends it with raw=True). A new page has no workflow, comments or aliases, which
the publication would otherwise update.

Updates of existing pages, files repeating a slug of the same batch, and everything here when
the writing fails (rolled back to a savepoint) go through the per-file path."""
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import get_all_child_relations
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signals import page_published, published

from lessons.privacy import guard as privacy_guard
from search import outbox

from . import batch_checks, deferred_indexing, import_privacy
from .importing import ImportResult, length_problems, new_page, refusal, validation_problems

logger = logging.getLogger(__name__)


@dataclass
class NewDocument:
    """A parsed file whose slug is not taken under its Kanwil section."""
    index: int  # position in the batch
    doc: object
    digest: str
    section: Page
    page: object = None
    revision: Revision = None
    plain_texts: dict = None  # rendered ahead by parse_pool: plain_text_key(source) -> text


def create(items, *, publish, user, check_permissions, lookups):
    """Create the pages of `items` (NewDocument, every slug new and unique in its section);
    returns {index: ImportResult}. Runs inside the batch's transaction and deferral."""
    results, ready = {}, []
    refusals = {}
    by_section = {}
    for item in items:
        by_section.setdefault(item.section.pk, []).append(item)
    prepared = {}
    for pk, section_items in by_section.items():
        section = section_items[0].section
        if check_permissions:
            if section.pk not in refusals:
                refusals[section.pk] = refusal(user, section, None, publish)
            if refusals[section.pk]:
                for item in section_items:
                    results[item.index] = ImportResult(item.doc.source, problems=[refusals[section.pk]])
                continue
        prepared[pk] = _prepare(section, section_items, user, lookups, results)
    # The foreign keys of every page of the batch, one query per field (batch_checks).
    foreign_keys = batch_checks.ForeignKeys([item.page for section_items in prepared.values()
                                             for item in section_items])
    for pk, section_items in prepared.items():
        ready += _place(by_section[pk][0].section, section_items, publish, foreign_keys, results)
    if ready:
        _write(ready, publish, user)
    for item in ready:
        results[item.index] = ImportResult(item.doc.source, page=item.page, created=True, together=True)
    return results


def _prepare(section, items, user, lookups, results):
    """Each item's page as it would be validated, but for its tree position; returns the items
    whose text fits its columns."""
    locale = None
    prepared = []
    for item in items:
        page = new_page(item.doc, item.digest, lookups, user)
        if too_long := length_problems(page):
            results[item.index] = ImportResult(item.doc.source, problems=too_long)
            continue
        if item.plain_texts:  # DocumentPage.plain_text reads them instead of rendering; fill_plain_texts
            page.plain_texts = dict(item.plain_texts)  # then keeps exactly those of the page's texts
        page._cached_parent_obj = section  # as add_child leaves it: get_parent() needs no query
        # A new page has no child objects (attachments, comments); said in memory, as the page a
        # revision gives (the one the per-file path publishes) says it, so none is queried.
        for relation in get_all_child_relations(page):
            setattr(page, relation.get_accessor_name(), [])
        # The locale Page.full_clean gives a new page: its parent's, the same for the section.
        locale = page.locale = locale or page.get_default_locale()
        page.set_url_path(section)  # Page.save of a new page
        privacy_guard.stamp_override(page, user)  # save_revision
        page.draft_title = page.title
        item.page = page
        prepared.append(item)
    return prepared


def _place(section, items, publish, foreign_keys, results):
    """Validate each page at the position add_child would give it; returns the valid ones."""
    # As treebeard's add_child: the section row locked and read again, the last child's path.
    locked = Page.objects.select_for_update().get(pk=section.pk)
    last = None if locked.is_leaf() else locked.get_last_child()
    depth = locked.depth + 1
    valid = []
    for item in items:
        page = item.page
        page.depth = depth
        page.path = last._inc_path() if last is not None else Page._get_path(locked.path, depth, 1)
        page.numchild = 0
        page.clean_fields = foreign_keys.clean_fields_of(page)
        try:
            _validate(page, publish)
        except ValidationError as error:
            results[item.index] = ImportResult(item.doc.source, problems=validation_problems(error))
            item.page = None
            continue
        finally:
            del page.clean_fields  # the model's own again, for whatever runs later
        last = page
        valid.append(item)
    if valid:
        # add_child raises the count once per child; all at once here, and in memory as it does.
        Page.objects.filter(pk=section.pk).update(numchild=F("numchild") + len(valid))
        section.numchild = locked.numchild + len(valid)
    return valid


def _validate(page, publish):
    """The checks the per-file path makes, on the page as it would be then, reporting what it
    reports: the first failing of minimal_clean (add_child: Page.save of a page not live), the
    privacy guard (DocumentPage.publish) and full_clean (the publication's Page.save of a live
    page, or save_revision(clean=True) for a draft; its foreign keys answered per batch, see
    batch_checks). minimal_clean checks a part of what full_clean checks (the title field, the
    slug free among the siblings), so it can only fail where full_clean fails: it is run then
    only, to report its own problems first."""
    try:
        page.full_clean()
    except ValidationError:
        page.minimal_clean()
        if publish:
            privacy_guard.ensure_publishable(page)
        raise
    if publish:
        privacy_guard.ensure_publishable(page)


def _write(items, publish, user):
    pages = [item.page for item in items]
    now = timezone.now()
    for page in pages:
        try:
            page.fill_plain_texts()  # as DocumentPage.save
        except Exception:  # noqa: BLE001 - as DocumentPage.save: the index reports such content
            page.plain_texts = {}
    # wagtailcore_page rows first (their ids are the documents' ids), in their final state but
    # for the links to the revisions, which need the ids.
    for page in pages:
        _state(page, _after(publish, now))
    parents = Page.objects.bulk_create([_parent_row(page) for page in pages])
    if any(parent.pk is None for parent in parents):  # SQLite before 3.35 does not return them
        raise RuntimeError("the database did not return the ids of the new page rows")
    for page, parent in zip(pages, parents):
        page.pk = page.id = page.page_ptr_id = parent.pk
        page._state.adding = False
    # The revision as save_revision stores it: the page as add_child left it.
    revisions = []
    for page in pages:
        final = _state(page, _WHEN_SAVED)
        revisions.append(Revision(
            content_type_id=page.content_type_id, base_content_type=page.get_base_content_type(),
            object_id=str(page.pk), user=user, approved_go_live_at=None, created_at=now,
            content=page.serializable_data(), object_str=str(page)))
        _state(page, final)
    revisions = Revision.objects.bulk_create(revisions)
    for item, revision in zip(items, revisions):
        item.revision = item.page.latest_revision = revision
        if publish:
            item.page.live_revision = revision
    # Each page has this one revision: the links in one statement.
    only_revision = Subquery(Revision.objects.filter(
        base_content_type=pages[0].get_base_content_type(), object_id=Cast(OuterRef("pk"), CharField()),
    ).values("pk")[:1])
    links = {"latest_revision": only_revision}
    if publish:
        links["live_revision"] = only_revision
    Page.objects.filter(pk__in=[page.pk for page in pages]).update(**links)
    for page in pages:  # each document type's own row, as loaddata writes one
        page.save_base(raw=True, force_insert=True)
    _many_to_many(pages)
    _log(items, publish, user)
    for item in items:
        if item.doc.restricted_to:  # a new page has no restriction to remove otherwise
            import_privacy.apply(item.page, item.doc.restricted_to)
    for page in pages:
        # What flush() would run for the page (update_reference_index_task), from the page in
        # memory instead of a fresh load of it and its child objects; its search entry is
        # flushed with the batch's (the saves' post_save would record it; raw saves do not).
        if ReferenceIndex.is_indexed(type(page)):
            ReferenceIndex.create_or_update_for_object(page)
        deferred_indexing.record(type(page), page.pk, references_done=True)
    if publish:
        # Sent per page as PublishPageRevisionAction._after_publish sends them; the receivers'
        # per-page reads and writes made once for the batch where they can be: each page's
        # revisions are the one just written (the pending restriction receiver reads them), and
        # the search outbox rows are written in one statement.
        with import_privacy.revisions_known({item.page.pk: [item.revision] for item in items}), outbox.batched():
            for item in items:
                page_published.send(sender=type(item.page), instance=item.page, revision=item.revision)
                published.send(sender=type(item.page), instance=item.page, revision=item.revision)


# The page's state when save_revision serialises it (after add_child), and what save_revision
# and the publication then change (the links to the revision are set once it exists).
_WHEN_SAVED = {"live": False, "has_unpublished_changes": False, "latest_revision_created_at": None,
               "first_published_at": None, "last_published_at": None}


def _after(publish, now):
    if publish:
        return {"live": True, "has_unpublished_changes": False, "latest_revision_created_at": now,
                "first_published_at": now, "last_published_at": now}
    return {**_WHEN_SAVED, "has_unpublished_changes": True, "latest_revision_created_at": now}


def _state(page, values):
    """Set these fields; returns their previous values."""
    previous = {name: getattr(page, name) for name in values}
    for name, value in values.items():
        setattr(page, name, value)
    return previous


def _parent_row(page):
    row = Page(**{field.attname: getattr(page, field.attname) for field in Page._meta.concrete_fields})
    row._state.adding = page.pk is None
    return row


def _many_to_many(pages):
    """The ParentalManyToMany rows a page's save commits, for every page at once."""
    by_through = {}
    for page in pages:
        for field in type(page)._meta.get_fields():
            if not isinstance(field, ParentalManyToManyField):
                continue
            through = field.remote_field.through
            source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
            rows = by_through.setdefault(through, [])
            for related in getattr(page, field.name).all():
                rows.append(through(**{source: page.pk, target: related.pk}))
    for through, rows in by_through.items():
        through.objects.bulk_create(rows)


def _log(items, publish, user):
    """The entries Wagtail's log registry writes for add_child, save_revision and publish."""
    context = get_active_log_context()
    entries = []

    def entry(page, action, who, revision=None):
        entries.append(PageLogEntry(
            content_type=ContentType.objects.get_for_model(page, for_concrete_model=False),
            label=PageLogEntry.objects.get_instance_title(page), action=action, timestamp=timezone.now(), data={},
            user=who or context.user, uuid=context.uuid, page=page, revision=revision, content_changed=True))

    for item in items:
        page, revision = item.page, item.revision
        entry(page, "wagtail.create", user or page.owner)
        entry(page, "wagtail.edit", user, revision)
        if publish:
            entry(page, "wagtail.publish", user, revision)
    PageLogEntry.objects.bulk_create(entries)


def create_or_fallback(items, **kwargs):
    """create(), or {} when the bulk writing failed (rolled back to its savepoint): the caller
    then imports these files one by one."""
    try:
        with transaction.atomic():
            return create(items, **kwargs)
    except Exception:  # noqa: BLE001 - the per-file path decides and reports
        logger.exception("Creating %s new documents together failed; importing them one by one", len(items))
        return {}
