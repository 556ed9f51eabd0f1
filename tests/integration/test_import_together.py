"""import_archive creates a batch's new documents together (lessons/markdown/new_pages.py).
The result must be the one the per-file path gives: the same files are imported once one by
one and once together, into the same database under other slugs, and everything the import
writes is compared field by field (pages, tree, revisions, log entries, many-to-many rows,
view restrictions, search outbox, Wagtail's search and reference indexes, and the documents
in Elasticsearch once the outbox is drained). Real database, real Elasticsearch."""
import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from wagtail.models import Page, PageLogEntry, PageViewRestriction, ReferenceIndex
from wagtail.search.models import IndexEntry

from lessons.content.pages import DOCUMENT_TYPES
from lessons.content.taxonomy import Kanwil
from lessons.markdown.bulk_import import import_archive
from lessons.markdown.parsing import Problem
from lessons.models import DOCUMENT_MODELS
from search import outbox
from search.client import get_client
from search.models import PendingIndexUpdate

pytestmark = pytest.mark.django_db

CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content"
STUDI = "studi-tiru-aceh-ke-sumut-identitas-tidak-jelas.md"  # restricted_to, host_kanwil, team
PELAJARAN = "pelajaran-berkas-dikembalikan-sumpah-penerjemah.md"  # kalbar
PANDUAN = "panduan-penahanan-dan-perpanjangan-tersangka-wna.md"  # practice_of, steps
PANDUAN_KALBAR = "panduan-penyusunan-spdp.md"
PELAJARAN_2 = "pelajaran-penerjemah-bahasa-vietnam-di-batam.md"


def _with_front_matter(text, line):
    return text.replace("---\n", "---\n" + line + "\n", 1)


def archive(folder, prefix):
    """The files of one run, named (and so slugged) with `prefix`: the three document types,
    a restricted one, one refused by the privacy guard, one with an unknown code, a file
    repeating another's slug (an update of it), and one repeating a slug with another type."""
    folder.mkdir()
    fixture = {name: (CONTENT / name).read_text(encoding="utf-8") for name in (STUDI, PELAJARAN, PANDUAN,
                                                                               PANDUAN_KALBAR, PELAJARAN_2)}
    files = {
        f"{prefix}-a-{STUDI}": fixture[STUDI],
        f"{prefix}-b-{PELAJARAN}": fixture[PELAJARAN],
        f"{prefix}-c-{PANDUAN}": fixture[PANDUAN],
        f"{prefix}-d-{PANDUAN_KALBAR}": fixture[PANDUAN_KALBAR],
        f"{prefix}-e-paspor.md": fixture[PELAJARAN].replace(
            "## Situasi\n", "## Situasi\n\nTersangka menunjukkan paspor A1234567 saat diperiksa.\n", 1),
        f"{prefix}-f-kode.md": fixture[PELAJARAN].replace("stages: [", "stages: [p-99, ", 1),
        # Same slug as b: created first, then updated by this file, in the same batch.
        f"{prefix}-g-ulang.md": _with_front_matter(fixture[PELAJARAN].replace("Berkas dikembalikan", "Berkas kembali"),
                                                   f"slug: {prefix}-b-{PELAJARAN[:-3]}"),
        # Same slug as d, another type.
        f"{prefix}-h-jenis.md": _with_front_matter(fixture[PELAJARAN_2].replace("kanwil: kepri", "kanwil: kalbar"),
                                                   f"slug: {prefix}-d-{PANDUAN_KALBAR[:-3]}"),
        f"{prefix}-i-{PELAJARAN_2}": fixture[PELAJARAN_2],
    }
    assert "## Situasi\n" in fixture[PELAJARAN] and "stages: [" in fixture[PELAJARAN]
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        DIGESTS[hashlib.sha256(text.encode()).hexdigest()] = "digest of " + name.replace(f"{prefix}-", "PREFIX-")
    return folder


DIGESTS = {}  # sha256 of an imported file -> its name without the run's prefix


def _norm(value, prefix):
    """A value with this run's slugs (and so its files' digests) taken out."""
    text = json.dumps(value, sort_keys=True, default=str)
    for digest, name in DIGESTS.items():
        text = text.replace(digest, name)
    return json.loads(text.replace(f"{prefix}-", "PREFIX-"))


PAGE_SKIPPED = {"id", "page_ptr_id", "path", "url_path", "translation_key", "latest_revision_id", "live_revision_id",
                "first_published_at", "last_published_at", "latest_revision_created_at", "locked_at"}
REVISION_SKIPPED = {"pk", "id", "page_ptr", "path", "url_path", "translation_key", "latest_revision",
                    "live_revision", "first_published_at", "last_published_at", "latest_revision_created_at"}


def _page_state(page, prefix):
    page = page.specific
    fields = {f.attname: getattr(page, f.attname) for f in type(page)._meta.concrete_fields
              if f.attname not in PAGE_SKIPPED}
    for name in ("body", "team", "follow_up", "steps"):
        if name in fields:
            fields[name] = getattr(page, name).get_prep_value() if fields[name] is not None else None
            fields[name] = _without_block_ids(fields[name])
    revisions = list(page.revisions.order_by("id"))
    fields.update({
        "class": type(page).__name__,
        "parent": page.get_parent().pk,
        "depth_under_parent": page.depth - page.get_parent().depth,
        "url_path_ok": page.url_path == page.get_parent().url_path + page.slug + "/",
        "times_set": [getattr(page, n) is not None for n in ("first_published_at", "last_published_at",
                                                               "latest_revision_created_at")],
        "latest_is_newest": page.latest_revision_id == revisions[-1].pk,
        "live_revision": revisions.index(page.live_revision) if page.live_revision_id else None,
        "first_before_last": (page.first_published_at <= page.last_published_at) if page.first_published_at else None,
        "revisions": [_revision_state(r) for r in revisions],
        "m2m": {name: sorted(getattr(page, name).values_list("pk", flat=True))
                for name in ("stages", "obstacles", "provisions", "practice_kanwils")},
        "restrictions": [(r.restriction_type, sorted(r.groups.values_list("name", flat=True)))
                         for r in PageViewRestriction.objects.filter(page=page).order_by("pk")],
        "log": sorted(Counter(_log_state(e, page, revisions) for e in PageLogEntry.objects.filter(page=page)).items()),
        "outbox": list(PendingIndexUpdate.objects.filter(page_id=page.pk).order_by("id")
                       .values_list("action", "attempts", "dead_at")),
        "search_entry": IndexEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(page)), object_id=str(page.pk)).count(),
        "references": sorted(ReferenceIndex.get_references_for_object(page)
                             .values_list("model_path", "content_path", "to_object_id")),
    })
    return _norm(fields, prefix)


def _without_block_ids(data):
    """StreamField block ids are random per save, whichever path wrote them."""
    if isinstance(data, list):
        return [_without_block_ids(item) for item in data]
    if isinstance(data, dict):
        return {k: _without_block_ids(v) for k, v in data.items() if k != "id"}
    return data


def _revision_state(revision):
    content = {k: json.loads(v) if k in ("body", "team", "follow_up", "steps") and v else v
               for k, v in revision.content.items() if k not in REVISION_SKIPPED}
    content = _without_block_ids(content)
    times = {k: revision.content.get(k) is not None for k in ("first_published_at", "last_published_at",
                                                               "latest_revision_created_at")}
    return {"content": content, "times_set": times, "user": revision.user_id, "object_str": revision.object_str,
            "approved_go_live_at": revision.approved_go_live_at, "content_type": revision.content_type_id,
            "base_content_type": revision.base_content_type_id}


def _log_state(entry, page, revisions):
    data = {k: v for k, v in (entry.data or {}).items() if k not in ("id",)}
    return (entry.action, entry.user_id, entry.label, entry.content_changed, entry.deleted, entry.content_type_id,
            revisions.index(entry.revision) if entry.revision_id else None, entry.uuid is None,
            json.dumps(data, sort_keys=True, default=str))


def _es_document(page_id, prefix):
    client = get_client()
    found = client.options(ignore_status=404).get(index=settings.SEARCH_INDEX_ALIAS, id=str(page_id))
    if not found.get("found"):
        return None
    source = dict(found["_source"])
    for key in list(source):
        if key in ("id", "url", "first_published_at", "last_published_at", "published_at", "source_hash"):
            source.pop(key)
    return _norm(source, prefix)


def _state_of(prefix, documents_in_es=False):
    pages = Page.objects.filter(slug__startswith=f"{prefix}-").type(*DOCUMENT_MODELS).order_by("slug")
    state = {}
    for page in pages:
        key = page.slug.replace(f"{prefix}-", "PREFIX-", 1)
        state[key] = _page_state(page, prefix)
        if documents_in_es:
            state[key] = {"es": _es_document(page.pk, prefix)}
    return state


def _report(report, prefix):
    return _norm({
        "counts": report.counts, "total": report.total,
        "failures": {f.source.replace(f"{prefix}-", "PREFIX-"): [str(p) for p in f.problems] for f in report.failures},
    }, prefix)


def _tree_is_sound():
    problems = Page.find_problems()
    assert all(not found for found in problems), problems


def _assert_same_pages(one_prefix, two_prefix):
    """The pages both runs wrote are the same, field by field (see _page_state)."""
    one, two = _state_of(one_prefix), _state_of(two_prefix)
    assert one, "nothing landed"
    assert sorted(two) == sorted(one)
    for slug in one:
        differing = {key: (one[slug].get(key), two[slug].get(key))
                     for key in one[slug].keys() | two[slug].keys() if one[slug].get(key) != two[slug].get(key)}
        assert not differing, (slug, differing)


@pytest.mark.parametrize("publish,username", [(True, "admin"), (True, "reviewer-kalbar"), (False, "admin"),
                                              (False, "editor-kalbar"), (True, None)])
def test_together_gives_what_one_by_one_gives(tmp_path, fresh_alias, publish, username):
    user = get_user_model().objects.get(username=username) if username else None
    PendingIndexUpdate.objects.all().delete()
    one = import_archive([archive(tmp_path / "one", "satu")], publish=publish, user=user, one_by_one=True)
    together = import_archive([archive(tmp_path / "two", "dua")], publish=publish, user=user)

    assert one.together == 0
    # The fast path did create the new documents (not its fallback): every new one but the
    # repeated slugs (updates, one by one).
    assert together.together == together.counts.get("baru", 0) > 0
    assert _report(together, "dua") == _report(one, "satu")
    reasons = " ".join(str(p) for f in together.failures for p in f.problems)
    assert "nomor paspor" in reasons if publish else "A1234567" not in reasons
    assert "p-99" in reasons and "jenis lain" in reasons
    if username and username != "admin":  # sections the user may not add to (or publish in) are refused
        assert "tidak berhak" in reasons
    _tree_is_sound()
    for section in {p.get_parent() for p in Page.objects.filter(slug__startswith="dua-")}:
        assert section.numchild == section.get_children().count()

    # Imported again: unchanged files stay as they are, the two sharing a slug update it again,
    # the same way whichever path created the pages.
    again_one = import_archive([tmp_path / "one"], publish=publish, user=user, one_by_one=True)
    again_two = import_archive([tmp_path / "two"], publish=publish, user=user)
    assert _report(again_two, "dua") == _report(again_one, "satu")
    assert again_two.together == 0 and again_two.counts.get("tidak berubah", 0) > 0

    _assert_same_pages("satu", "dua")

    while outbox.drain():
        pass
    es_one, es_two = _state_of("satu", documents_in_es=True), _state_of("dua", documents_in_es=True)
    assert sorted(es_two) == sorted(es_one)
    for slug in es_one:
        one_doc, two_doc = es_one[slug]["es"] or {}, es_two[slug]["es"] or {}
        differing = {key: (one_doc.get(key), two_doc.get(key)) for key in one_doc.keys() | two_doc.keys()
                     if one_doc.get(key) != two_doc.get(key)}
        assert not differing and bool(es_one[slug]["es"]) == bool(es_two[slug]["es"]), (slug, differing)
    assert any(v["es"] for v in es_one.values()) == publish


def test_a_refused_file_leaves_the_rest_of_its_batch_created_together(tmp_path, fresh_alias):
    user = get_user_model().objects.get(username="admin")
    folder = archive(tmp_path / "one", "tiga")
    report = import_archive([folder], publish=True, user=user, batch_size=100)
    names = {f.source for f in report.failures}
    assert names == {"tiga-e-paspor.md", "tiga-f-kode.md", "tiga-h-jenis.md"}
    landed = set(Page.objects.filter(slug__startswith="tiga-").values_list("slug", flat=True))
    assert landed == {f"tiga-{kind}-{name[:-3]}" for kind, name in (
        ("a", STUDI), ("b", PELAJARAN), ("c", PANDUAN), ("d", PANDUAN_KALBAR), ("i", PELAJARAN_2))}
    assert report.together == 5
    assert not Page.objects.filter(slug__in=["tiga-e-paspor", "tiga-f-kode", "tiga-h-jenis"]).exists()
    assert all(p.live for p in Page.objects.filter(slug__startswith="tiga-"))
    _tree_is_sound()


def test_when_writing_together_fails_the_files_land_one_by_one(tmp_path, fresh_alias, monkeypatch):
    """A fault after some rows were written (here injected into the log entries, the step
    after the page, revision and many-to-many rows): those rows roll back to the savepoint and
    the same files are imported one by one, so nothing is doubled or lost."""
    from lessons.markdown import new_pages

    def broken(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(new_pages, "_log", broken)
    user = get_user_model().objects.get(username="admin")
    report = import_archive([archive(tmp_path / "one", "empat")], publish=True, user=user)
    assert report.together == 0
    assert report.counts == {"baru": 5, "diperbarui": 1}
    assert {f.source for f in report.failures} == {"empat-e-paspor.md", "empat-f-kode.md", "empat-h-jenis.md"}
    pages = Page.objects.filter(slug__startswith="empat-")
    assert pages.count() == 5 and all(p.live for p in pages)
    for page in pages:
        assert page.specific.revisions.count() == (2 if page.slug.startswith("empat-b-") else 1)
        assert PageLogEntry.objects.filter(page=page, action="wagtail.create").count() == 1
    _tree_is_sound()


@pytest.mark.parametrize("publish", [True, False])
def test_a_missing_foreign_key_target_fails_its_file_alone(tmp_path, fresh_alias, monkeypatch, publish):
    """The together path asks whether the batch's foreign key targets exist once per field
    (batch_checks), not per page: a file whose target is missing (here its host Kanwil, a
    code the batch's lookups still know but whose row is gone) must still fail, alone, with
    the message full_clean gives it one by one (Django's ForeignKey 'invalid' message)."""
    from lessons.markdown import bulk_import, importing

    ghost = Kanwil(pk=Kanwil.objects.aggregate(Max("pk"))["pk__max"] + 1000, code="hantu", name="Kanwil Hantu")
    codes, kanwil = bulk_import.known_codes, importing.Lookups.kanwil
    monkeypatch.setattr(bulk_import, "known_codes", lambda: {**codes(), "kanwil": codes()["kanwil"] | {"hantu"}})
    monkeypatch.setattr(importing.Lookups, "kanwil", lambda self, code: ghost if code == "hantu" else kanwil(self, code))

    def files(prefix):
        folder = archive(tmp_path / prefix, prefix)
        studi = folder / f"{prefix}-a-{STUDI}"
        text = studi.read_text(encoding="utf-8")
        assert "host_kanwil: sumut\n" in text
        studi.write_text(text.replace("host_kanwil: sumut\n", "host_kanwil: hantu\n"), encoding="utf-8")
        return folder

    user = get_user_model().objects.get(username="admin")
    one = import_archive([files("satu")], publish=publish, user=user, one_by_one=True)
    together = import_archive([files("dua")], publish=publish, user=user)

    assert together.together == together.counts.get("baru", 0) == (4 if publish else 5)
    failures = {f.source: [str(p) for p in f.problems] for f in together.failures}
    host = DOCUMENT_TYPES["studi-tiru"]._meta.get_field("host_kanwil")
    expected = host.error_messages["invalid"] % {
        "model": Kanwil._meta.verbose_name, "pk": ghost.pk, "field": "id", "value": ghost.pk}
    assert failures[f"dua-a-{STUDI}"] == [str(Problem(expected, "host_kanwil"))]
    assert set(failures) == {f"dua-a-{STUDI}", "dua-f-kode.md", "dua-h-jenis.md"} | (
        {"dua-e-paspor.md"} if publish else set())
    if publish:
        # One by one, the publication first rebuilds the page from its revision, which modelcluster
        # cannot do with a missing PROTECT target: the same file fails, as an unexpected error.
        one_failures = {f.source: [str(p) for p in f.problems] for f in one.failures}
        assert "kesalahan tak terduga" in one_failures.pop(f"satu-a-{STUDI}")[0]
        failures.pop(f"dua-a-{STUDI}")
        assert _norm(failures, "dua") == _norm(one_failures, "satu")
        assert one.counts == together.counts
    else:  # save_revision(clean=True) runs full_clean first: the very same report
        assert _report(together, "dua") == _report(one, "satu")
    assert not Page.objects.filter(slug=f"dua-a-{STUDI[:-3]}").exists()
    _assert_same_pages("satu", "dua")
    _tree_is_sound()


def _with_limit_breakers(folder, prefix):
    """Two files over the limits checked while parsing: one over the size limit, one whose
    body nests lists deeper than allowed. Each must fail alone, with its own message."""
    (folder / f"{prefix}-j-besar.md").write_bytes(b"x" * (settings.MARKDOWN_MAX_BYTES + 10))
    nested = "".join("  " * depth + "- butir\n" for depth in range(settings.MARKDOWN_MAX_NESTING + 5))
    text = (CONTENT / PELAJARAN_2).read_text(encoding="utf-8").replace("## Situasi\n", "## Situasi\n\n" + nested, 1)
    (folder / f"{prefix}-k-bersarang.md").write_text(text, encoding="utf-8")
    return folder


def test_parsing_in_worker_processes_gives_the_same_import(tmp_path, fresh_alias, settings):
    """import_archive parses big batches in forked worker processes (parse_pool): the import
    is the same as parsed in process, file by file and field by field, and a file over the
    limits fails alone with the same message."""
    from lessons.markdown import parse_pool
    from lessons.markdown.importing import known_codes, markdown_files

    settings.IMPORT_PARSE_MIN_FILES = 2  # the archive's 11 files are a big batch here
    user = get_user_model().objects.get(username="admin")
    one_folder = _with_limit_breakers(archive(tmp_path / "satu", "satu"), "satu")
    two_folder = _with_limit_breakers(archive(tmp_path / "dua", "dua"), "dua")

    # What a worker hands back (pickled) equals what this process computes, plain texts too.
    paths = markdown_files([two_folder])
    with parse_pool.ParsePool(2, 2) as pool:
        in_workers = pool.results(pool.submit(paths, known_codes), known_codes())
        assert pool.in_workers == len(paths) == 11
    here = [parse_pool.parse_path(path, known_codes(), with_plain_texts=True) for path in paths]
    assert in_workers == here
    assert sum(bool(parsed.plain_texts) for parsed in here) == 9  # all but the two over the limits

    one = import_archive([one_folder], publish=True, user=user, parse_workers=1)
    two = import_archive([two_folder], publish=True, user=user, parse_workers=2)
    assert one.parsed_in_workers == 0 and two.parsed_in_workers == 11 and two.parse_fallbacks == 0
    assert two.together == one.together == 5
    assert _report(two, "dua") == _report(one, "satu")
    failures = {f.source: " ".join(map(str, f.problems)) for f in two.failures}
    assert "batasnya" in failures["dua-j-besar.md"] and "bersarang terlalu dalam" in failures["dua-k-bersarang.md"]
    _assert_same_pages("satu", "dua")
    _tree_is_sound()


def test_a_parse_worker_that_dies_loses_no_file(tmp_path, fresh_alias, settings, monkeypatch):
    """A worker process killed while parsing (BrokenProcessPool): its files and the rest are
    parsed in the importing process; the import is the one parsed in process."""
    import os

    from lessons.markdown import parse_pool

    settings.IMPORT_PARSE_MIN_FILES = 2
    importer, parse_path = os.getpid(), parse_pool.parse_path

    def dies_in_a_worker(path, *args, **kwargs):
        if os.getpid() != importer and "-c-" in path.name:
            os._exit(9)  # as if killed (out of memory)
        return parse_path(path, *args, **kwargs)

    monkeypatch.setattr(parse_pool, "parse_path", dies_in_a_worker)  # forked workers inherit it
    user = get_user_model().objects.get(username="admin")
    one = import_archive([_with_limit_breakers(archive(tmp_path / "satu", "satu"), "satu")], publish=True,
                         user=user, parse_workers=1)
    two = import_archive([_with_limit_breakers(archive(tmp_path / "dua", "dua"), "dua")], publish=True,
                         user=user, parse_workers=2)
    assert two.parse_fallbacks > 0 and two.parsed_in_workers + two.parse_fallbacks == 11
    assert _report(two, "dua") == _report(one, "satu")
    assert two.together == 5
    _assert_same_pages("satu", "dua")
