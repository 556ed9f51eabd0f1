"""Existing installations: give each Kanwil's editors and reviewers a document collection of
their own instead of the shared root collection, and move the documents their pages use
into it. A fresh database has no Kanwil sections yet (load_demo creates them, collections
included), so this does nothing there.

It calls portal.structure with the current models on purpose: the permission and tree
helpers of Wagtail's Collection (treebeard) do not exist on historical models."""
from django.db import migrations


def forwards(apps, schema_editor):
    sections = apps.get_model("portal", "KanwilPage").objects.exclude(kanwil=None)
    kanwil_ids = list(sections.values_list("kanwil_id", flat=True))
    if not kanwil_ids:
        return
    from lessons.models import Kanwil
    from portal import structure

    for kanwil in Kanwil.objects.filter(pk__in=kanwil_ids):
        structure.ensure_document_collection(kanwil)
    structure.adopt_documents()


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("lessons", "0002_privacy_override"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
