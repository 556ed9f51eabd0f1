"""The search index: one Document per published page, behind an alias that reindexing swaps."""
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from elasticsearch.dsl import Completion, Date, Document, Integer, Keyword, Text

SETTINGS_FILE = Path(__file__).with_name("index_settings.yaml")


def _without_descriptions(value):
    if isinstance(value, dict):
        return {k: _without_descriptions(v) for k, v in value.items() if k != "description"}
    return value


@lru_cache(maxsize=1)
def index_config():
    with open(SETTINGS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def index_body_settings():
    config = index_config()
    return {**_without_descriptions(config["settings"]), "analysis": _without_descriptions(config["analysis"])}


def boosts():
    return _without_descriptions(index_config()["boosts"])



def _stemmed():
    return Text(analyzer="stemmed", fields={"pairs": Text(analyzer="stemmed_shingles")})


class SearchDocument(Document):
    # Text as written (highlights, phrases, typos) and its stemmed, code-normalised twin.
    title = Text(analyzer="text_id", fields={"raw": Keyword(ignore_above=256)})
    title_stemmed = _stemmed()
    summary = Text(analyzer="text_id")
    summary_stemmed = _stemmed()
    body = Text(analyzer="text_id")
    body_stemmed = _stemmed()
    attachments = Text(analyzer="text_id")
    attachments_stemmed = _stemmed()
    # Names of the document's stages, obstacles, provisions and Kanwil, searchable as text.
    facet_text = Text(analyzer="text_id")
    facet_text_stemmed = Text(analyzer="stemmed")

    type = Keyword()
    kanwil = Keyword()
    host_kanwil = Keyword()
    kanwil_any = Keyword()  # author and host: "documents about Kalbar"
    stages = Keyword()
    obstacles = Keyword()
    provisions = Keyword()
    date = Date()
    year = Integer()
    published_at = Date()
    url = Keyword(index=False)
    access = Keyword()  # 'all' or 'group:<id>'; see lessons.access
    suggest = Completion(analyzer="text_id", contexts=[{"name": "access", "type": "category", "path": "access"}])

    class Index:
        name = "lintas-documents"  # unused: every call names settings.SEARCH_INDEX_ALIAS (alias_name())


def alias_name():
    return settings.SEARCH_INDEX_ALIAS
