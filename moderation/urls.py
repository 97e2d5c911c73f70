from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("r/<int:pk>/hide/", views.reply_hide, name="reply_hide"),
    path("r/<int:pk>/restore/", views.reply_restore, name="reply_restore"),
    path("t/<int:pk>/hide/", views.thread_hide, name="thread_hide"),
    path("t/<int:pk>/restore/", views.thread_restore, name="thread_restore"),
    path("t/<int:pk>/lock/", views.thread_lock, name="thread_lock"),
    path("t/<int:pk>/unlock/", views.thread_unlock, name="thread_unlock"),
]
