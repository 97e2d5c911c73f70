from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/profile/", views.profile_edit, name="profile_edit"),
    path("accounts/privacy/", views.privacy, name="privacy"),
    path("accounts/privacy/data/", views.data_export, name="data_export"),
    path("accounts/privacy/close/", views.account_close, name="account_close"),
    path("accounts/api-tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("accounts/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
