"""Reference data (stages, obstacles, provisions, Kanwil, glossary) from fixtures/taxonomy/*.yaml.
Idempotent: codes are keys, so running again updates names instead of duplicating."""
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from .taxonomy import GlossaryTerm, Kanwil, LegalProvision, Obstacle, Stage

TAXONOMY_DIR = Path(settings.BASE_DIR) / "fixtures" / "taxonomy"


def _rows(name, directory):
    with open(Path(directory) / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


@transaction.atomic
def seed_taxonomy(directory=TAXONOMY_DIR):
    """Returns {model name: number of rows} after seeding."""
    for row in _rows("stages.yaml", directory):
        Stage.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"], "name_en": row.get("name_en", ""), "order": row["order"],
            "description": row.get("description", ""), "description_en": row.get("description_en", "")})
    for row in _rows("obstacles.yaml", directory):
        Obstacle.objects.update_or_create(code=row["code"], defaults={
            "name": row["name"], "name_en": row.get("name_en", ""), "description": row.get("description", ""),
            "description_en": row.get("description_en", "")})
    for row in _rows("provisions.yaml", directory):
        LegalProvision.objects.update_or_create(code=row["code"], defaults={
            "law": row["law"], "article": row["article"], "title": row.get("title", ""),
            "summary": row.get("summary", "")})
    for row in _rows("kanwil.yaml", directory):
        Kanwil.objects.update_or_create(code=row["code"], defaults={
            "short_name": row["short_name"], "name": row["province"]})
    for row in _rows("glossary.yaml", directory):
        GlossaryTerm.objects.update_or_create(term=row["term"], defaults={
            "expansions": "\n".join(row.get("expansions", [])), "description": row.get("description", "")})
    return {model.__name__: model.objects.count() for model in (Stage, Obstacle, LegalProvision, Kanwil, GlossaryTerm)}
