from django.urls import path

from moderation.views import actions, queue

app_name = "moderation"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("r/<int:pk>/hide/", actions.reply_hide, name="reply_hide"),
    path("r/<int:pk>/restore/", actions.reply_restore, name="reply_restore"),
    path("t/<int:pk>/hide/", actions.thread_hide, name="thread_hide"),
    path("t/<int:pk>/restore/", actions.thread_restore, name="thread_restore"),
    path("t/<int:pk>/lock/", actions.thread_lock, name="thread_lock"),
    path("t/<int:pk>/unlock/", actions.thread_unlock, name="thread_unlock"),
]
