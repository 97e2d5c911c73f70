from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
    path("accounts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
