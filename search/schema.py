"""The search document, declared once. Every index field says where its value comes from
and what search does with it; every facet says which field it counts, where its values and
labels come from and how it is shown. The mapping (documents.py), document building
(building.py), parameter validation (params.py), the query (queries.py), result and facet
presentation (results.py), the JSON API (api.py) and its OpenAPI description (openapi.py)
all read these declarations at call time, so adding a facet is one Facet (plus its Field
and source function) here and nothing else.

Consumers read `FIELDS` and `FACETS` through this module (schema.FACETS), never copy them
at import time: a test adds a throw-away facet by replacing them."""
from dataclasses import dataclass, field
from typing import Callable

from django.utils.translation import gettext_lazy as _

from . import choices, sources


@dataclass(frozen=True)
class Boost:
    """Weights of a searched text field in the text query; None: not matched that way."""
    as_written: float | None = None  # fuzzy typo matching and quoted phrases, on the text as written
    stemmed: float | None = None  # the analysed query on the stemmed twin
    pairs: float | None = None  # the word-pair bonus on the stemmed twin's shingles


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text | keyword | integer | date | completion | object
    source: Callable  # sources.<name>(PageFacts) -> the value stored
    stemmed: bool = False  # a "<name>_stemmed" twin holds the value stemmed and code-normalised in Python
    pairs: bool = False  # the stemmed twin also holds word pairs (.pairs)
    boost: Boost = Boost()  # searched when any weight is set
    stemmed_query_on: str | None = None  # field the stemmed query matches, if not the stemmed twin
    highlighted: bool = False  # snippets are cut from it
    returned: bool = False  # in each hit's _source
    api: dict | None = None  # JSON Schema of its value in the API's result objects; None: not in the API
    spelling: bool = False  # a word found here counts as known to the reader (spelling suggestions)
    similar: bool = False  # "related documents" compare its stemmed twin
    mapping: dict = field(default_factory=dict)  # further mapping options

    @property
    def searched(self):
        return any(w is not None for w in (self.boost.as_written, self.boost.stemmed, self.boost.pairs))

    @property
    def stemmed_name(self):
        return f"{self.name}_stemmed"


@dataclass(frozen=True)
class Facet:
    param: str  # URL parameter, also the facet's key in the API's "facets"
    field: str  # the keyword or integer index field it counts
    title: str  # heading (lazy gettext, Indonesian source text)
    description: str  # for the OpenAPI document (English)
    choices: Callable | None = None  # () -> {code: label} in display order; None: numbers seen in the results
    numbers: tuple | None = None  # (lowest, highest) accepted for a numeric facet
    number_error: str = ""  # message for a number outside `numbers` (lazy gettext)
    zero_counts: bool = False  # list every choice, even those no document has (browsable lists)
    within: str = "any"  # several values of one facet: "any" (OR) or "all" (AND); facets combine with AND
    editorial: bool = False  # a narrower filter for editors: offered in the search form's editor options only


TEXT = {"type": "string"}
CODES = {"type": "array", "items": {"type": "string"}}
KANWIL_ROLES = {"type": "array", "description": "Every Kanwil whose experience the document is, author first, "
                "each with its role: author (wrote it), host (received the visit) or practice (its practice is described).",
                "items": {"type": "object", "required": ["code", "role", "label", "role_label"], "properties": {
                    "code": {"type": "string"}, "role": {"type": "string", "enum": ["author", "host", "practice"]},
                    "label": {"type": "string"}, "role_label": {"type": "string"}}}}

FIELDS = (
    # Text as written (highlights, phrases, typos) and its stemmed, code-normalised twin.
    Field("title", "text", sources.title, stemmed=True, pairs=True, boost=Boost(3, 5, 3), returned=True,
          api=TEXT, spelling=True, similar=True, mapping={"fields": {"raw": {"type": "keyword", "ignore_above": 256}}}),
    Field("url", "keyword", sources.url, returned=True, api=TEXT, mapping={"index": False}),
    Field("summary", "text", sources.summary, stemmed=True, pairs=True, boost=Boost(2, 3, 2), highlighted=True,
          returned=True, spelling=True, similar=True),
    # Names of the document's type, stages, obstacles, provisions and Kanwil, searchable as text.
    # The stemmed query matches the names as written (as the relevance benchmark was tuned);
    # the stemmed twin is kept in the document.
    Field("facet_text", "text", sources.facet_text, stemmed=True, boost=Boost(2, 3), stemmed_query_on="facet_text"),
    Field("body", "text", sources.body, stemmed=True, pairs=True, boost=Boost(1, 1, 1), highlighted=True,
          spelling=True, similar=True),
    Field("attachments", "text", sources.attachments, stemmed=True, pairs=True, boost=Boost(0.5, 0.5), highlighted=True,
          spelling=True),
    Field("type", "keyword", sources.type_code, returned=True, api=TEXT),
    Field("kanwil", "keyword", sources.author_kanwil, returned=True, api=TEXT),  # the author Kanwil
    Field("host_kanwil", "keyword", sources.host_kanwil, returned=True),
    Field("kanwil_any", "keyword", sources.kanwil_any),  # author and host: "documents about Kalbar"
    Field("practice_kanwil", "keyword", sources.practice_kanwils),  # Kanwil whose practice a document describes
    # A Kanwil's experience: what it wrote, the visits it hosted, the documents describing its practice.
    Field("experience_kanwil", "keyword", sources.experience_kanwils),
    Field("kanwil_roles", "object", sources.kanwil_roles, returned=True, api=KANWIL_ROLES, mapping={"enabled": False}),
    Field("stages", "keyword", sources.stages, returned=True, api=CODES),
    Field("obstacles", "keyword", sources.obstacles, returned=True, api=CODES),
    Field("provisions", "keyword", sources.provisions, returned=True),
    Field("date", "date", sources.date, returned=True, api={"type": ["string", "null"], "format": "date"}),
    Field("year", "integer", sources.year),
    Field("published_at", "date", sources.published_at),
    Field("access", "keyword", sources.access_tokens),  # 'all' or 'group:<id>'; see lessons.access
    # Contexts: the document's access tokens, plus sources.EVERY_DOCUMENT for readers who may
    # read everything (the suggester insists on a context; listing every token instead
    # made an unrestricted reader's completion 10-20x slower).
    Field("suggest", "completion", sources.suggest,
          mapping={"analyzer": "text_id", "contexts": [{"name": "access", "type": "category", "path": "access"}]}),
)

# Weights of the query's other parts.
STAGE_IN_QUERY = 4  # a stage code written in the query ("P-21") ranks that stage's documents higher
KANWIL_IN_QUERY = 3  # so does a Kanwil named in it ("Jatim TKA"), by or about it (kanwil_any)
GLOSSARY = 0.8  # the clause of a glossary equivalent weighs less than the typed word's (a longer phrase may still score more)

FACETS = (
    Facet("stage", "stages", _("Tahapan"), "Procedural stage code, e.g. p-19, p-21, tahap-2.",
          choices=choices.stages, zero_counts=True),
    Facet("obstacle", "obstacles", _("Kendala"), "Obstacle code, e.g. bahasa-penerjemah, koordinasi-kejaksaan.",
          choices=choices.obstacles, zero_counts=True),
    # By experience: the Kanwil wrote the document, hosted the visit or is named as the source of its practice.
    Facet("kanwil", "experience_kanwil", _("Kanwil"),
          "Code of a regional office whose experience the document is: it wrote the document, hosted the visit "
          "it reports, or is named as the source of the practice it describes.", choices=choices.kanwils),
    Facet("type", "type", _("Jenis dokumen"), "Content type: studi-tiru, pelajaran or panduan.",
          choices=choices.document_types, zero_counts=True),
    Facet("year", "year", _("Tahun"), "Year of the document's date.", numbers=(1900, 2100),
          number_error=_("Tahun tidak valid: %(value)s. Tulis tahun dengan angka 1900–2100, misalnya 2024.")),
    Facet("provision", "provisions", _("Ketentuan hukum"), "Legal provision code, e.g. pasal-122.",
          choices=choices.provisions),
    # Authorship only, narrower than `kanwil`: for editors looking for what a Kanwil wrote.
    Facet("author", "kanwil", _("Kanwil penulis"), "Code of the regional office that wrote the document "
          "(authorship only; `kanwil` also selects hosted visits and practice sources).",
          choices=choices.kanwils, editorial=True),
)


def facet_params():
    return tuple(facet.param for facet in FACETS)


def facet(param):
    return next(f for f in FACETS if f.param == param)


def fields_where(flag):
    return [f for f in FIELDS if getattr(f, flag)]


def field_names(flag):
    return [field.name for field in fields_where(flag)]


def weights(kind):
    """{index field: weight} for one kind of text matching: as_written, stemmed or pairs."""
    result = {}
    for f in FIELDS:
        weight = getattr(f.boost, kind)
        if weight is None:
            continue
        target = {"as_written": f.name, "stemmed": f.stemmed_query_on or f.stemmed_name,
                  "pairs": f"{f.stemmed_name}.pairs"}[kind]
        result[target] = weight
    return result
