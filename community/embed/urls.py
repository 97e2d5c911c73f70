from django.urls import path

from community.embed import views

app_name = "embed"

urlpatterns = [
    path("widget.js", views.widget_script, name="widget_script"),
    path("panel/", views.panel, name="panel"),
    path("search/", views.search, name="search"),
    path("t/<int:pk>/", views.thread, name="thread"),
    path("ask/", views.ask, name="ask"),
    path("sign-in/", views.handoff, name="handoff"),
]
