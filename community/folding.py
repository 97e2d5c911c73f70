"""Text indexed and searched without its accents, on every search backend.

Apart from community.search so that the models can declare their search fields
with it without importing what the search module reads (the models themselves).
"""

import unicodedata

from wagtail.search import index

# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """The text without its accents, case kept: "Détartrage" -> "Detartrage".

    Members type "detartrage" for "détartrage" and the other way round, in English
    as in French. Both the indexed text (FoldedSearchField) and the query are
    folded, so every backend matches them alike: SQLite's tokenizer drops
    accents, but PostgreSQL's "english" configuration keeps them.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class FoldedSearchField(index.SearchField):
    """A search field indexed without its accents (see fold)."""

    def get_value(self, obj):
        value = super().get_value(obj)
        return fold(value) if isinstance(value, str) else value
