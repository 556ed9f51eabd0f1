"""Grow a loaded corpus to 100k pages by copying its document rows in SQL, for the rebuild
benchmark at that size (bench/rebuild.py), where importing 100k files through Wagtail would
take hours on this machine (see bench/import_rate.py for the import's own rate).

    cp -a /tmp/lintas-bench-1k /tmp/lintas-bench-100k-db     # a state loaded by corpus.py load
    LINTAS_STATE_DIR=/tmp/lintas-bench-100k-db SEARCH_INDEX_ALIAS=lintas-bench-100k-db \\
        python bench/replicate.py --total 100000

Each live document page is copied (page row, its type's row, stages, obstacles, provisions,
practice Kanwil, attachments) until the database holds `--total` live documents. A copy is a
sibling of its original (next free tree path under the same Kanwil section, its own slug,
URL path and translation key), so a rebuild loads, builds and indexes it exactly as it does
any page. The copies repeat their originals' text: fine for measuring the pipeline's
throughput and memory, not for measuring search (bench/index_corpus.py builds a 100k index of
distinct documents for that). SQLite only (ids are assigned here)."""
import argparse
import sys
import time
import uuid

from common import setup_django
from corpus import progress_bar

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's default, steplen 4
STEPLEN = 4


def _step(number):
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def _rows(cursor, table, where_column, ids):
    rows = {}
    columns = None
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor.execute(f'SELECT * FROM "{table}" WHERE "{where_column}" IN ({",".join("%s" for _ in chunk)})', chunk)
        columns = [c[0] for c in cursor.description]
        for row in cursor.fetchall():
            rows.setdefault(row[columns.index(where_column)], []).append(dict(zip(columns, row)))
    return rows


def _insert(cursor, table, rows):
    if not rows:
        return
    columns = list(rows[0])
    names = ",".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({names}) VALUES ({",".join("%s" for _ in columns)})'
    cursor.executemany(sql, [[row[c] for c in columns] for row in rows])


def replicate(total, batch=2000):
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from wagtail.models import Page

    from lessons.models import DOCUMENT_MODELS, Attachment

    if connection.vendor != "sqlite":
        raise SystemExit("replicate.py assigns ids itself: SQLite only")
    originals = list(Page.objects.live().type(*DOCUMENT_MODELS).order_by("id")
                     .values_list("id", "content_type_id"))
    needed = total - len(originals)
    if needed <= 0:
        print(f"already {len(originals)} live documents", file=sys.stderr)
        return 0
    model_of = {ContentType.objects.get_for_model(m).id: m for m in DOCUMENT_MODELS}
    cursor = connection.cursor()
    cursor.execute('SELECT MAX(id) FROM "wagtailcore_page"')
    next_id = cursor.fetchone()[0] + 1
    # The next free step under each parent section.
    last_step = {}
    cursor.execute('SELECT path FROM "wagtailcore_page"')
    for (path,) in cursor.fetchall():
        parent, step = path[:-STEPLEN], path[-STEPLEN:]
        last_step[parent] = max(last_step.get(parent, 0), int(step, 36))
    added_children = {}
    attachment_table = Attachment._meta.db_table
    bar = iter(progress_bar(range(needed), needed, "copying"))
    done = 0
    started = time.perf_counter()
    while done < needed:
        plan = [originals[(done + k) % len(originals)] for k in range(min(batch, needed - done))]
        ids = sorted({i for i, _ in plan})
        with transaction.atomic():
            pages = _rows(cursor, "wagtailcore_page", "id", ids)
            specific = {}
            for model in DOCUMENT_MODELS:
                specific.update(_rows(cursor, model._meta.db_table, "page_ptr_id", ids))
            links = {}
            for model in DOCUMENT_MODELS:
                for field in model._meta.local_many_to_many:
                    through = field.remote_field.through._meta
                    source = next(f.column for f in through.fields if f.is_relation and f.related_model is model)
                    links[(model, field.name)] = (through.db_table, source, _rows(cursor, through.db_table, source, ids))
            attachments = _rows(cursor, attachment_table, "page_id", ids)
            new = {"wagtailcore_page": []}
            for original_id, content_type_id in plan:
                model = model_of[content_type_id]
                page = dict(pages[original_id][0])
                parent = page["path"][:-STEPLEN]
                last_step[parent] += 1
                added_children[parent] = added_children.get(parent, 0) + 1
                page.update(id=next_id, path=parent + _step(last_step[parent]), translation_key=str(uuid.uuid4()),
                            slug=f"{page['slug'][:230]}-{next_id}",
                            url_path=page["url_path"].rstrip("/").rsplit("/", 1)[0] + f"/{page['slug'][:230]}-{next_id}/")
                new["wagtailcore_page"].append(page)
                row = dict(specific[original_id][0], page_ptr_id=next_id)
                new.setdefault(model._meta.db_table, []).append(row)
                for (link_model, _), (table, source, rows) in links.items():
                    if link_model is model:
                        for link in rows.get(original_id, []):
                            new.setdefault(table, []).append({**{k: v for k, v in link.items() if k != "id"}, source: next_id})
                for attachment in attachments.get(original_id, []):
                    new.setdefault(attachment_table, []).append(
                        {**{k: v for k, v in attachment.items() if k != "id"}, "page_id": next_id})
                next_id += 1
            for table, rows in new.items():
                _insert(cursor, table, rows)
        done += len(plan)
        for _ in plan:
            next(bar, None)
    with transaction.atomic():
        for parent, count in added_children.items():
            cursor.execute('UPDATE "wagtailcore_page" SET numchild = numchild + %s WHERE path = %s', [count, parent])
    print(f"{needed} copies added in {time.perf_counter() - started:.0f} s: "
          f"{len(originals) + needed} live documents", file=sys.stderr)
    return needed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=100_000)
    args = parser.parse_args()
    setup_django("lintas-bench-corpus", prepare=False)
    replicate(args.total)


if __name__ == "__main__":
    main()
