"""The hostile-file corpus (tests/hostile/corpus.py) through every door that reads files:
the import_markdown command, the admin import form, the attachment upload check and text
extraction. Every answer is a clear message or a bounded success; each parse is timed and
its peak memory measured (resident-set high-water mark of this process, reset before each
file, plus the PDF child's own peak); a summary table is printed (pytest -s shows it).

Time is asserted as CPU time (this process plus its children, i.e. the PDF worker): the
machine running the suite is shared, so wall time measures the neighbours as much as the
parser. Wall time is measured and printed too."""
import gc
import io
import resource
import statistics
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Page

from lessons.attachments import files as attachments
from lessons.markdown.importing import import_path
from tests.hostile import corpus

pytestmark = pytest.mark.django_db

MAX_SECONDS = 2.0
MAX_PEAK_BYTES = 200 * 1024 * 1024
ROWS = []  # (door, file, outcome, ms, peak MB) for the summary


def _status(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    raise AssertionError(field)


def _cpu():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Measure:
    def __init__(self, wall, cpu, peak):
        self.wall, self.cpu, self.peak = wall, cpu, peak


def measure(action):
    """(result, Measure): wall and CPU seconds, peak bytes above the resident size before."""
    caches[settings.MARKDOWN_CACHE].clear()  # every render is paid for, none served from a past run
    gc.collect()
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current resident size
    before = _status("VmRSS:")
    started, cpu_started = time.perf_counter(), _cpu()
    result = action()
    figures = Measure(time.perf_counter() - started, _cpu() - cpu_started, max(0, _status("VmHWM:") - before))
    return result, figures


def record(door, name, outcome, figures, child_peak=0):
    peak = max(figures.peak, child_peak)
    ROWS.append((door, name, outcome, figures.wall * 1000, figures.cpu * 1000, peak / 2**20))
    assert figures.cpu < MAX_SECONDS, f"{door} {name}: {figures.cpu:.2f} s CPU"
    assert peak < MAX_PEAK_BYTES, f"{door} {name}: {peak / 2**20:.0f} MB"


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    if not ROWS:
        return
    lines = [f"{'door':<8} {'file':<28} {'outcome':<60} {'wall ms':>8} {'cpu ms':>7} {'peak MB':>8}"]
    lines += [f"{door:<8} {name:<28} {outcome[:60]:<60} {wall:>8.0f} {cpu:>7.0f} {mb:>8.1f}"
              for door, name, outcome, wall, cpu, mb in ROWS]
    walls, cpus = [row[3] for row in ROWS], [row[4] for row in ROWS]
    lines.append(f"{len(ROWS)} parses: wall max {max(walls):.0f} ms, median {statistics.median(walls):.0f} ms; "
                 f"CPU max {max(cpus):.0f} ms, median {statistics.median(cpus):.0f} ms; "
                 f"peak max {max(row[5] for row in ROWS):.1f} MB")
    print("\n" + "\n".join(lines))


# (name, expected) only: the bytes are generated on first use, not at collection.
MARKDOWN = [(name, expected) for name, _make, expected in corpus.markdown_files()]
ATTACHMENTS = [(name, expected) for name, _make, expected in corpus.docx_files() + corpus.pdf_files()]
IDS = [name for name, _expected in MARKDOWN]


# --- Markdown: the command, one file at a time and as one batch ---------------------------

@pytest.mark.parametrize("name, expected", MARKDOWN, ids=IDS)
def test_command_answers_each_hostile_file_within_bounds(tmp_path, name, expected):
    path = tmp_path / name
    path.write_bytes(corpus.data(name))
    result, figures = measure(lambda: import_path(path, publish=False))
    if expected == "refused":
        assert not result.ok and result.problems, name
        message = "; ".join(map(str, result.problems))
        assert all(str(problem).strip() for problem in result.problems)
    else:
        assert result.ok, [str(p) for p in result.problems]
        assert result.page.get_latest_revision_as_object().title
        message = f"ok ({result.status})"
    record("command", name, message, figures)


def test_command_batch_reports_every_file_and_carries_on(tmp_path):
    for name, _expected in MARKDOWN:
        (tmp_path / name).write_bytes(corpus.data(name))
    from io import StringIO

    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_markdown", str(tmp_path), stdout=out, stderr=StringIO())
    output = out.getvalue()
    refused = sum(expected == "refused" for _n, expected in MARKDOWN)
    for name, expected in MARKDOWN:
        line = next(line for line in output.splitlines() if f"] {name}: " in line)
        assert ("GAGAL: " in line) == (expected == "refused"), line
    assert f"{refused} gagal" in output and f"{refused} dari {len(MARKDOWN)} berkas gagal" in str(failure.value)


# --- Markdown: the admin import form ------------------------------------------------------

@pytest.mark.parametrize("name, expected", MARKDOWN, ids=IDS)
def test_admin_form_answers_each_hostile_file_within_bounds(client, users, name, expected):
    client.force_login(users["editor-kalbar"])
    client.get(reverse("lessons_import_markdown"))  # templates compiled before the clock starts
    upload = SimpleUploadedFile(name, corpus.data(name), content_type="text/markdown")
    response, figures = measure(lambda: client.post(reverse("lessons_import_markdown"), {"files": [upload]}))
    assert response.status_code == 200
    html = response.content.decode()
    if expected == "refused":
        assert html.count('class="import-failed"') == 1 and 'class="import-ok"' not in html
    else:
        assert html.count('class="import-ok"') == 1
    record("form", name, expected, figures)


def test_admin_form_takes_the_whole_corpus_at_once_and_keeps_only_the_good_files(client, users):
    client.force_login(users["editor-kalbar"])
    pages_before = Page.objects.count()
    files = [SimpleUploadedFile(name, corpus.data(name), content_type="text/markdown") for name, _e in MARKDOWN]
    response = client.post(reverse("lessons_import_markdown"), {"files": files})
    assert response.status_code == 200
    html = response.content.decode()
    refused = sum(expected == "refused" for _n, expected in MARKDOWN)
    assert html.count('class="import-failed"') == refused
    assert html.count('class="import-ok"') == len(MARKDOWN) - refused
    assert Page.objects.count() == pages_before + len(MARKDOWN) - refused


# --- attachments: the upload check and text extraction --------------------------------------

@pytest.mark.parametrize("name, expected", ATTACHMENTS, ids=[name for name, _e in ATTACHMENTS])
def test_attachment_check_and_extraction_stay_within_bounds(name, expected):
    data = corpus.data(name)
    kind = attachments.detect_kind(io.BytesIO(data))
    problem, figures = measure(lambda: attachments.problem(io.BytesIO(data), kind) if kind else "kind?")
    if expected == "refused":
        assert problem, name
    elif expected == "accepted":
        assert problem is None and kind == name.rsplit(".", 1)[1], problem
    child = attachments.run_pdf_worker(io.BytesIO(data), "check", 20) if kind == attachments.PDF else {}
    record("check", name, problem or "accepted", figures, child.get("peak_bytes", 0))

    text, figures = measure(lambda: attachments.extract_text(io.BytesIO(data), name=name))
    if expected == "accepted":
        assert text
    child = attachments.run_pdf_worker(io.BytesIO(data), "extract", 20) if kind == attachments.PDF else {}
    record("extract", name, f"{len(text)} characters", figures, child.get("peak_bytes", 0))


@pytest.mark.parametrize("name", [name for name, expected in ATTACHMENTS if expected == "refused"])
def test_refused_attachment_uploads_get_a_form_message(client, users, name):
    from wagtail.documents import get_document_model
    from wagtail.models import Collection

    client.force_login(users["editor-kalbar"])
    response, figures = measure(lambda: client.post(reverse("wagtaildocs:add"), {
        "title": name, "file": SimpleUploadedFile(name, corpus.data(name)),
        "collection": Collection.get_first_root_node().pk, "tags": "",
    }))
    assert response.status_code == 200, name  # the form again, with its message
    errors = [str(error) for error in response.context["form"].errors.get("file", [])]
    assert errors and all(len(error) > 20 for error in errors), errors
    assert not get_document_model().objects.filter(title=name).exists()
    record("upload", name, errors[0], figures)
