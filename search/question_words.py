"""Words that shape a question rather than name its subject, in the two languages officers
type: "how long can a foreign suspect be held", "apa yang harus dilakukan jika ...".

The index's stop words (index_settings.yaml) already drop the commonest function words
everywhere. These are the rest of a question's scaffolding: modal verbs, pronouns,
conjunctions of time and condition, "do/done". A document need not contain them to match
(they do not count towards the concepts a query requires), but where they occur they still
add to its score. Query side only: changing this list needs no reindexing."""

QUESTION_WORDS = frozenset("""
    can could should would must may might will shall need needs i we you they he she someone my our your their
    there which who whom whose if then than so else any some also just only very
    boleh bisa dapat harus perlu sebaiknya seharusnya mesti saya aku kami kita anda mereka jika kalau bila apabila
    saat ketika sewaktu supaya cara caranya bagaimanakah apakah lakukan dilakukan melakukan sebaiknya
    daripada hendak ingin mau sebenarnya
""".split())


def is_question_word(forms):
    """A concept that is one plain word of a question's scaffolding (no glossary equivalents)."""
    return len(forms) == 1 and forms[0] in QUESTION_WORDS
