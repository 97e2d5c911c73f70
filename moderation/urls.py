from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("r/<int:pk>/hide/", views.reply_hide, name="reply_hide"),
    path("r/<int:pk>/restore/", views.reply_restore, name="reply_restore"),
]
