"""Synthetic corpus of realistic documents, reproducible from a seed, and loading it through
the real pipeline.

    python bench/corpus.py write --size 10000 --out /tmp/corpus-10k [--seed 7]
    python bench/corpus.py load /tmp/corpus-10k            # import_archive --publish, attachments, index

`write` needs no database: it reads the demo content (fixtures/content) and the taxonomy
(fixtures/taxonomy) and recombines them. Each generated document keeps the section
structure of a demo document of its type (## Tujuan / ## Temuan …, ## Situasi / ## Tindakan
…, ## Dasar Hukum / ## Langkah with ### steps and checklists), filled with paragraphs taken
from the same section of other demo documents of that type, so the vocabulary, sentence
shapes and Markdown are the officers' own. Spreads:
- type: 30 % visit reports, 45 % lessons, 25 % guides;
- author Kanwil: Zipf-like (a few offices write most; every office writes some);
- year: 2012-2026, more recent years more frequent;
- stages: a run of 1-4 consecutive procedural stages, sometimes SP3 or TAK besides;
- obstacles 1-3 (weighted as in the demo content), provisions 0-2;
- length: 0.3x to 5x a demo document (log-normal);
- attachments: a quarter of the documents carry 1-3 attachments of 3-40 paragraphs
  (written to attachments.jsonl, attached by `load` as extracted text);
- 3 % restricted to one or two Kanwil (restricted_to).

`load` runs inside a throwaway state directory and index alias (see common.py): migrate,
demo taxonomy and sections, `import_archive --publish` of the files (pages, revisions,
publication, privacy guard, outbox), the attachments, then drains the outbox into the index.
Times are printed for each step."""
import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "fixtures" / "content"
TAXONOMY = ROOT / "fixtures" / "taxonomy"
TYPE_WEIGHTS = {"studi-tiru": 0.30, "pelajaran": 0.45, "panduan": 0.25}


def progress_bar(iterable, total, label):
    """tqdm when installed (the `bench` extra), otherwise a plain counter on stderr."""
    try:
        from tqdm import tqdm

        return tqdm(iterable, total=total, desc=label, unit="doc", file=sys.stderr, mininterval=0.5)
    except ImportError:
        def plain():
            for number, item in enumerate(iterable, start=1):
                if number % 500 == 0 or number == total:
                    print(f"\r{label}: {number}/{total}", end="" if number < total else "\n", file=sys.stderr)
                yield item
        return plain()


# --- What the demo content and the taxonomy provide --------------------------------------

def _front_matter(text):
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body


def _sections(body):
    """[(heading, [chunk, ...])] for '## ' sections; a chunk is a paragraph, a list or a
    whole '### ' sub-section (so steps keep their checklists)."""
    sections = []
    for part in re.split(r"^## ", body, flags=re.MULTILINE)[1:]:
        heading, _, rest = part.partition("\n")
        if "```" in rest or "~~~" in rest:  # never cut a fenced block apart
            chunks = [rest.strip()]
        elif "\n### " in "\n" + rest:
            chunks = ["### " + c.strip() for c in re.split(r"^### ", rest, flags=re.MULTILINE)[1:]]
            lead = re.split(r"^### ", rest, flags=re.MULTILINE)[0].strip()
            chunks = ([lead] if lead else []) + chunks
        else:
            chunks = [c.strip() for c in re.split(r"\n\s*\n", rest) if c.strip()]
        sections.append((heading.strip(), chunks))
    return sections


class Source:
    def __init__(self):
        self.templates = defaultdict(list)  # type -> [[heading, ...], ...]
        self.pool = defaultdict(list)  # (type, heading) -> [chunk, ...]
        self.paragraphs = []  # every plain paragraph, for attachments
        self.topics = defaultdict(list)  # type -> title fragments
        self.summaries = defaultdict(list)
        self.team = []
        self.follow_up = []
        self.obstacle_counts = Counter()
        for path in sorted(CONTENT.glob("*.md")):
            meta, body = _front_matter(path.read_text(encoding="utf-8"))
            kind = meta["type"]
            sections = _sections(body)
            self.templates[kind].append([h for h, _ in sections])
            for heading, chunks in sections:
                self.pool[(kind, heading)].extend(chunks)
                self.paragraphs.extend(c for c in chunks if not c.startswith(("#", "-", "|", "1.")))
            title = meta["title"]
            self.topics[kind].append(title.split(" tentang ", 1)[1] if " tentang " in title else title)
            self.summaries[kind].append(meta.get("summary", ""))
            self.team.extend(meta.get("team") or [])
            self.follow_up.extend(meta.get("follow_up") or [])
            self.obstacle_counts.update(meta.get("obstacles") or [])
        self.kanwil = yaml.safe_load((TAXONOMY / "kanwil.yaml").read_text(encoding="utf-8"))
        self.stages = [s["code"] for s in yaml.safe_load((TAXONOMY / "stages.yaml").read_text(encoding="utf-8"))]
        self.obstacles = [o["code"] for o in yaml.safe_load((TAXONOMY / "obstacles.yaml").read_text(encoding="utf-8"))]
        self.provisions = [p["code"] for p in yaml.safe_load((TAXONOMY / "provisions.yaml").read_text(encoding="utf-8"))]


# --- Generation --------------------------------------------------------------------------

def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70].rstrip("-")


class Generator:
    def __init__(self, source, seed):
        self.src = source
        self.rng = random.Random(seed)
        order = list(source.kanwil)
        self.rng.shuffle(order)
        self.kanwil = order
        self.kanwil_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(order))]
        self.years = list(range(2012, 2027))
        self.year_weights = [1.25 ** i for i in range(len(self.years))]
        self.obstacle_weights = [1 + source.obstacle_counts[o] for o in source.obstacles]
        self.procedural = [s for s in source.stages if s not in ("sp3", "tak")]

    def pick_kanwil(self, exclude=None):
        while True:
            k = self.rng.choices(self.kanwil, self.kanwil_weights)[0]
            if k["code"] != exclude:
                return k

    def stages(self):
        length = self.rng.choices([1, 2, 3, 4], [2, 4, 3, 1])[0]
        start = self.rng.randrange(0, len(self.procedural) - length + 1)
        chosen = self.procedural[start:start + length]
        for extra in ("sp3", "tak"):
            if extra in self.src.stages and self.rng.random() < 0.15:
                chosen.append(extra)
        return chosen

    def obstacles(self):
        count = self.rng.choices([1, 2, 3], [3, 4, 3])[0]
        chosen = set()
        while len(chosen) < count:
            chosen.add(self.rng.choices(self.src.obstacles, self.obstacle_weights)[0])
        return sorted(chosen)

    def body(self, kind):
        headings = self.rng.choice(self.src.templates[kind])
        scale = min(5.0, max(0.3, math.exp(self.rng.gauss(0, 0.6))))
        parts = []
        for heading in headings:
            pool = self.src.pool[(kind, heading)]
            if not pool:
                continue
            count = max(1, round(len(pool) / max(1, len(self.src.templates[kind])) * scale))
            chunks = [self.rng.choice(pool) for _ in range(count)]
            if heading == "Langkah":  # number the steps again in their new order
                chunks = [re.sub(r"^### \d+\.\s*", f"### {n}. ", c) for n, c in enumerate(chunks, start=1)]
            parts.append(f"## {heading}\n\n" + "\n\n".join(chunks))
        return "\n\n".join(parts) + "\n"

    def document(self, number):
        rng = self.rng
        kind = rng.choices(list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values()))[0]
        author = self.pick_kanwil()
        year = rng.choices(self.years, self.year_weights)[0]
        day = date(year, 1, 1) + timedelta(days=rng.randrange(0, 365))
        topic = rng.choice(self.src.topics[kind])
        meta = {"type": kind}
        if kind == "studi-tiru":
            host = self.pick_kanwil(exclude=author["code"])
            title = f"Studi tiru Kanwil {author['short_name']} ke Kanwil {host['short_name']} tentang {topic}"
            meta.update(host_kanwil=host["code"])
        elif kind == "pelajaran":
            title = f"{topic} ({author['short_name']}, {year})"
        else:
            title = f"{topic} (Kanwil {author['short_name']}, edisi {year})"
        meta.update(title=title, slug=f"{_slug(title)}-{number}", kanwil=author["code"], date=day.isoformat(),
                    stages=self.stages(), obstacles=self.obstacles(),
                    provisions=rng.sample(self.src.provisions, rng.choice([0, 1, 1, 2])),
                    summary=rng.choice(self.src.summaries[kind]))
        if kind == "studi-tiru":
            meta.update(date_end=(day + timedelta(days=rng.randrange(1, 5))).isoformat(),
                        team=rng.sample(self.src.team, rng.randint(2, 4)),
                        follow_up=rng.sample(self.src.follow_up, rng.randint(1, 3)))
        elif kind == "pelajaran":
            meta.update(validation=rng.choice(["tervalidasi", "belum-divalidasi"]), p19_returns=rng.choice([0, 0, 1, 1, 2, 3]))
        else:
            meta.update(version=f"1.{rng.randrange(0, 4)}", effective_date=(day + timedelta(days=14)).isoformat())
        if rng.random() < 0.03:
            meta["restricted_to"] = sorted({author["code"], self.pick_kanwil()["code"]})
        attachments = []
        if rng.random() < 0.25:
            for n in range(rng.randint(1, 3)):
                text = "\n\n".join(rng.choice(self.src.paragraphs) for _ in range(rng.randint(3, 40)))
                attachments.append({"title": f"Lampiran {n + 1} {meta['slug'][:40]}", "text": text})
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        return meta["slug"], f"---\n{front}---\n\n{self.body(kind)}", attachments


def write_corpus(size, out, seed):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    generator = Generator(Source(), seed)
    started = time.perf_counter()
    total_bytes = 0
    with open(out / "attachments.jsonl", "w", encoding="utf-8") as sidecar:
        for number in progress_bar(range(1, size + 1), size, "writing"):
            slug, text, attachments = generator.document(number)
            folder = out / f"{number // 1000:03d}"
            folder.mkdir(exist_ok=True)
            (folder / f"{slug}.md").write_text(text, encoding="utf-8")
            total_bytes += len(text.encode())
            if attachments:
                sidecar.write(json.dumps({"slug": slug, "attachments": attachments}, ensure_ascii=False) + "\n")
    seconds = time.perf_counter() - started
    print(f"{size} documents ({total_bytes / 1e6:.1f} MB of Markdown) written to {out} in {seconds:.1f} s, seed {seed}")


# --- Loading through the pipeline --------------------------------------------------------

def attach(corpus, batch=2000):
    """Attachments from attachments.jsonl, as extracted text on Attachment rows. They share
    a few stored files: what is indexed (and measured) is their text."""
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.models import Page

    from lessons.models import Attachment

    Document = get_document_model()
    shared = []
    for n in range(5):
        document = Document(title=f"Arsip pindaian {n + 1}")
        document.file.save(f"arsip-{n + 1}.txt", ContentFile(f"Arsip pindaian {n + 1}\n".encode()), save=True)
        shared.append(document)
    entries = [json.loads(line) for line in open(Path(corpus) / "attachments.jsonl", encoding="utf-8")]
    ids = dict(Page.objects.filter(slug__in=[e["slug"] for e in entries]).values_list("slug", "id"))
    rows = [Attachment(page_id=ids[e["slug"]], document=shared[i % len(shared)], title=a["title"],
                       extracted_text=a["text"], sort_order=i)
            for e in entries if e["slug"] in ids for i, a in enumerate(e["attachments"])]
    Attachment.objects.bulk_create(rows, batch_size=batch)
    return len(rows), len(ids)


def load(corpus, batch_size):
    from common import setup_django

    setup_django("lintas-bench-corpus")  # demo content too: the judged queries still have their answers
    from django.core.management import call_command

    from lessons.markdown.bulk_import import import_archive
    from search import outbox

    from django.db import connection

    files = sorted(Path(corpus).rglob("*.md"))
    bar = iter(progress_bar(range(len(files)), len(files), "importing"))
    queries = 0

    def count(execute, *args):
        nonlocal queries
        queries += 1
        return execute(*args)

    with connection.execute_wrapper(count):
        started, cpu = time.perf_counter(), time.process_time()
        report = import_archive([corpus], publish=True, batch_size=batch_size, on_file=lambda *a: next(bar, None))
        imported, cpu = time.perf_counter() - started, time.process_time() - cpu
    done = max(report.imported, 1)
    print(f"import_archive --publish: {report.imported} imported, {len(report.failures)} failed, "
          f"{imported:.1f} s, {report.imported / imported:.1f} docs/s, {1000 * cpu / done:.1f} CPU ms/doc, "
          f"{queries / done:.1f} SQL queries/doc (side by side with another checkout: bench/import_rate.py)")
    for failure in report.failures[:10]:
        print("  failed:", failure.source, "; ".join(map(str, failure.problems)))
    started = time.perf_counter()
    attachments, pages = attach(corpus)
    print(f"attachments: {attachments} on {pages} pages, {time.perf_counter() - started:.1f} s")
    # Publication queued one outbox row per page; the index worker's own drain indexes them.
    # Attachments were added after publication, so the drain (which builds documents now)
    # includes their text.
    queued = outbox.pending_count()
    started = time.perf_counter()
    drained = 0
    while outbox.pending_count():
        applied = outbox.drain(batch_size=500)
        if not applied:  # the node was busy or away: the rows are retried shortly, as by the worker
            time.sleep(1)
        drained += applied
        print(f"\r  outbox drained {drained}/{queued}", end="", file=sys.stderr)
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    print(f"outbox: {drained} of {queued} rows applied in {seconds:.1f} s ({drained / seconds:.1f} docs/s); "
          f"dead letters: {outbox.dead_letters().count()}")
    call_command("search_index", "status")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="generate Markdown files")
    w.add_argument("--size", type=int, default=1000)
    w.add_argument("--out", required=True)
    w.add_argument("--seed", type=int, default=7)
    ld = sub.add_parser("load", help="import_archive --publish, attachments, rebuild")
    ld.add_argument("corpus")
    ld.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    if args.command == "write":
        write_corpus(args.size, args.out, args.seed)
    else:
        load(args.corpus, args.batch_size)


if __name__ == "__main__":
    main()
