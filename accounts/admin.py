from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Community profile"), {"fields": ("display_name", "bio", "avatar")}),
    )
    list_display = ("username", "email", "display_name", "is_active", "is_superuser")
    search_fields = ("username", "email", "display_name")
