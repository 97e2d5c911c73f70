"""Each thread's words, stored for PostgreSQL's full-text search.

The search index (modelsearch's entries) keeps a thread's title and the rest in two
vectors and matches their concatenation, which no index can answer: a common word
read every entry. Here one weighted vector per thread (title A, question and tags B,
replies C, category names D) and the title's alone, each with a GIN index, let a
search find its matches through the index and rank only a bounded set of them
(community.search_backend). The search backend writes a thread's row whenever it
indexes the thread; it is kept apart from the thread's row so that lists and pages,
which read threads by the thousand, never load it.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from community.models.forum import Thread


class ThreadSearchDocument(models.Model):
    thread = models.OneToOneField(
        Thread,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
        verbose_name=_("thread"),
    )
    # Stemmed in the thread's language, accents folded (community.folding), as the
    # queries are.
    title = SearchVectorField()
    document = SearchVectorField()

    class Meta:
        verbose_name = _("thread search document")
        verbose_name_plural = _("thread search documents")

    def __str__(self):
        return str(self.thread_id)
