"""What the index looks like: its analysis settings (index_settings.yaml), its mapping
(derived from schema.FIELDS) and the alias that reindexing swaps."""
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings

from . import schema

SETTINGS_FILE = Path(__file__).with_name("index_settings.yaml")
# Stamped by the pipeline (building.py), not declared in the schema: they describe how a
# document was built rather than the page.
PIPELINE_FIELDS = {"source_hash": {"type": "keyword", "index": False}, "build_version": {"type": "keyword"}}


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


def stop_words():
    return set(index_config()["analysis"]["filter"]["indonesian_stop"]["stopwords"])


def _property(field):
    if field.type == "text":
        return {"type": "text", "analyzer": "text_id", **field.mapping}
    return {"type": field.type, **field.mapping}


def _stemmed_twin(field):
    twin = {"type": "text", "analyzer": "stemmed"}
    if field.pairs:
        twin["fields"] = {"pairs": {"type": "text", "analyzer": "stemmed_shingles"}}
    return twin


def mapping():
    """The index mapping: one property per declared field, a stemmed twin where declared,
    and the pipeline's own stamps."""
    properties = {}
    for field in schema.FIELDS:
        properties[field.name] = _property(field)
        if field.stemmed:
            properties[field.stemmed_name] = _stemmed_twin(field)
    return {"properties": {**properties, **PIPELINE_FIELDS}}


def alias_name():
    return settings.SEARCH_INDEX_ALIAS
