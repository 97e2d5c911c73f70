"""Make a Relais HomePage the site root, and let Editors manage categories."""

from django.db import migrations

HOME_TITLE = "Home"
CATEGORY_PERMISSIONS = ["add_category", "change_category", "delete_category", "view_category"]


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("community", "HomePage")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    if HomePage.objects.exists():
        return
    # Wagtail's own first migration leaves a placeholder welcome page at the root;
    # it holds nothing of anyone's, and the new home page takes its place.
    Page.objects.filter(depth=2, slug="home", numchild=0, content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    home_type, _ = ContentType.objects.get_or_create(app_label="community", model="homepage")
    home = HomePage.objects.create(
        title=HOME_TITLE,
        draft_title=HOME_TITLE,
        slug="home",
        content_type=home_type,
        path=f"{root.path}{_next_child_suffix(Page, root)}",
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale_id=root.locale_id,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page_id=home.id, is_default_site=True
        )
    else:
        site.root_page_id = home.id
        site.save(update_fields=["root_page"])

    category_type, _ = ContentType.objects.get_or_create(app_label="community", model="category")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for codename in CATEGORY_PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=category_type,
            codename=codename,
            defaults={"name": f"Can {codename.replace('_', ' ')}"},
        )
        editors.permissions.add(permission)


def _next_child_suffix(Page, root):
    last = Page.objects.filter(depth=2).order_by("-path").first()
    number = int(last.path[-4:], 36) + 1 if last else 1
    return _base36(number).rjust(4, "0")


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, remainder = divmod(number, 36)
        out = digits[remainder] + out
    return out or "0"


def remove_category_permissions(apps, schema_editor):
    # The home page stays: it holds editors' content, and a migration never drops it.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="community", codename__in=CATEGORY_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("accounts", "0002_roles"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_category_permissions)]
