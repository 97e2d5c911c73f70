from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("", views.thread_list, name="thread_list"),
    path("c/<slug:slug>/", views.category_detail, name="category_detail"),
    path("search/", views.search, name="search"),
    path("t/<int:pk>/", views.thread_detail, name="thread_detail_short"),
    path("t/<int:pk>/<str:slug>/", views.thread_detail, name="thread_detail"),
]
