from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.forms import AVATAR_SIDE, AVATAR_UPLOAD_MAX_BYTES, AVATAR_UPLOAD_MAX_PIXELS
from accounts.images import square_of
from accounts.models import ExternalIdentity, User


class AdminUserChangeForm(UserChangeForm):
    """Django's user form, with an uploaded avatar re-encoded as the profile page
    does: only its pixels are stored, under a name from its content."""

    def clean_avatar(self):
        avatar = self.cleaned_data.get("avatar")
        if isinstance(avatar, UploadedFile):
            return square_of(
                avatar,
                side=AVATAR_SIDE,
                max_bytes=AVATAR_UPLOAD_MAX_BYTES,
                max_pixels=AVATAR_UPLOAD_MAX_PIXELS,
            ).as_file("avatar")
        return avatar


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = AdminUserChangeForm
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Community profile"), {"fields": ("display_name", "bio", "avatar")}),
    )
    list_display = ("username", "email", "display_name", "is_active", "is_superuser")
    search_fields = ("username", "email", "display_name")

    def save_model(self, request, obj, form, change):
        previous = User.objects.filter(pk=obj.pk).values_list("avatar", flat=True).first() or ""
        super().save_model(request, obj, form, change)
        if previous and previous != obj.avatar.name:
            storage = User._meta.get_field("avatar").storage
            transaction.on_commit(lambda: storage.delete(previous))


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Links made by the brand's sign-in hand-off: read here, made only by a
    hand-off. Deleting one unlinks the brand's id, whose next hand-off then
    follows the rules for a customer seen for the first time."""

    list_display = ("user", "provider", "subject", "created_at")
    list_filter = ("provider",)
    search_fields = ("subject", "user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("user", "provider", "subject", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
