"""Every model of the lessons app, where Django looks for them. They live with the code of
their job (lessons/content/); other apps import them from here."""
from lessons.content.pages import (  # noqa: F401
    DOCUMENT_MODELS, DOCUMENT_TYPES, KANWIL_ROLES, Attachment, DocumentPage, LessonLearned, ProceduralGuide, StudiTiruReport,
)
from lessons.content.taxonomy import GlossaryTerm, Kanwil, LegalProvision, Obstacle, Stage  # noqa: F401
