from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from community.api import docs, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("me/", views.Me.as_view(), name="me"),
    path("categories/", views.CategoryList.as_view(), name="categories"),
    path("threads/", views.ThreadList.as_view(), name="threads"),
    path("threads/<int:pk>/", views.ThreadDetail.as_view(), name="thread"),
    path("threads/<int:pk>/replies/", views.ThreadReplies.as_view(), name="thread_replies"),
    path("threads/<int:pk>/me-too/", views.ThreadMeToo.as_view(), name="thread_me_too"),
    path("threads/<int:pk>/follow/", views.ThreadFollow.as_view(), name="thread_follow"),
    path("threads/<int:pk>/solution/", views.ThreadSolution.as_view(), name="thread_solution"),
    path("replies/<int:pk>/", views.ReplyDetail.as_view(), name="reply"),
    path("replies/<int:pk>/helpful/", views.ReplyHelpful.as_view(), name="reply_helpful"),
    path(
        "replies/<int:pk>/recommendation/",
        views.ReplyRecommendation.as_view(),
        name="reply_recommendation",
    ),
    path("search/", views.Search.as_view(), name="search"),
    path("help-articles/", views.HelpArticleList.as_view(), name="help_articles"),
    path("members/<str:username>/", views.MemberDetail.as_view(), name="member"),
    path("queue/", views.Queue.as_view(), name="queue"),
    re_path(r"^(?P<path>.*)$", views.NoSuchAddress.as_view(), name="not_found"),
]
