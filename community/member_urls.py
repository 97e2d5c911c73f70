from django.urls import path

from community import views

app_name = "members"

urlpatterns = [path("<str:username>/", views.profile_detail, name="profile")]
