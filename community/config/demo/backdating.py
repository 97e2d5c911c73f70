"""Dating what the services wrote to the moment it happened in the story.

The services stamp "now" and send their notifications as a member's acts
would; the demo needs a past that reads like a real one, so every row an act
wrote is moved back to the moment the act happened.
"""

from django.db.models import Max

from community.models import Follow, HelpfulVote, MeToo, Notification, Revision

# Rows the services add along the way (the asker's "me too", follows, votes,
# earlier texts, notifications), each with a created_at of "now".
SIDE_ROWS = (MeToo, Follow, HelpfulVote, Revision, Notification)


class Backdater:
    """Moves the side rows added since the last call back to the moment of the act."""

    def __init__(self):
        self._last_pks = {model: self._last_pk(model) for model in SIDE_ROWS}

    @staticmethod
    def _last_pk(model) -> int:
        return model.objects.aggregate(last=Max("pk"))["last"] or 0

    def stamp(self, at) -> None:
        for model, last_pk in self._last_pks.items():
            if model.objects.filter(pk__gt=last_pk).update(created_at=at):
                self._last_pks[model] = self._last_pk(model)
