from django.urls import path

from community import edit_views, feeds, help_views, resolution_views, views

app_name = "community"

urlpatterns = [
    path("", views.thread_list, name="thread_list"),
    path("c/<slug:slug>/", views.category_detail, name="category_detail"),
    path("c/<slug:slug>/follow/", views.category_follow, name="category_follow"),
    path("tag/<slug:slug>/follow/", views.tag_follow, name="tag_follow"),
    path("search/", views.search, name="search"),
    path("feed/", feeds.NewThreadsFeed(), name="feed"),
    path("feed/c/<slug:slug>/", feeds.CategoryThreadsFeed(), name="category_feed"),
    path("feed/tag/<slug:slug>/", feeds.TagThreadsFeed(), name="tag_feed"),
    path("ask/", views.ask, name="ask"),
    path("ask/suggestions/", views.ask_suggestions, name="ask_suggestions"),
    path("ask/solved/", views.ask_solved, name="ask_solved"),
    path("preview/", views.preview, name="preview"),
    path("t/<int:pk>/", views.thread_detail, name="thread_detail_short"),
    path("t/<int:pk>/reply/", views.reply_create, name="reply_create"),
    path("t/<int:pk>/edit/", edit_views.thread_edit, name="thread_edit"),
    path("t/<int:pk>/history/", edit_views.thread_history, name="thread_history"),
    path("t/<int:pk>/me-too/", views.thread_me_too, name="thread_me_too"),
    path("t/<int:pk>/follow/", views.thread_follow, name="thread_follow"),
    path("t/<int:pk>/accept/", views.thread_accept, name="thread_accept"),
    path(
        "t/<int:pk>/resolution/",
        resolution_views.resolution_answer,
        name="resolution_answer",
    ),
    path("t/<int:pk>/satisfaction/", resolution_views.satisfaction, name="satisfaction"),
    path(
        "resolution/<str:token>/",
        resolution_views.resolution_link,
        name="resolution_link",
    ),
    path("t/<int:pk>/<str:slug>/", views.thread_detail, name="thread_detail"),
    path("r/<int:pk>/", views.reply_permalink, name="reply_permalink"),
    path("r/<int:pk>/edit/", edit_views.reply_edit, name="reply_edit"),
    path("r/<int:pk>/history/", edit_views.reply_history, name="reply_history"),
    path("r/<int:pk>/helpful/", views.reply_helpful, name="reply_helpful"),
    path("r/<int:pk>/recommend/", views.reply_recommend, name="reply_recommend"),
    path("images/<int:pk>/", views.attachment, name="attachment"),
    path(
        "images/<int:pk>/thumbnail/",
        views.attachment,
        {"thumbnail": True},
        name="attachment_thumbnail",
    ),
    path("help-feedback/<int:page_id>/", help_views.help_feedback, name="help_feedback"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/latest/", views.notification_menu, name="notification_menu"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
]
