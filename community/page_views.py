"""Serving the editors' pages in the reader's language.

Wagtail's own serve view routes every address in the tree of the active language.
Here the address decides the tree (an unprefixed address is the default
language's, /fr/... the French one) and the reader's language decides where they
are sent: to the page's version in their language when it has a live one, else to
the page as it is, which then says it is not yet translated. Otherwise this keeps
Wagtail's behaviour (wagtail.views.serve): the site, the route, the
before_serve_page and on_serve_page hooks (view restrictions among them), then
page.serve.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from wagtail import hooks
from wagtail.models import Page, Site

from community.page_languages import (
    default_language,
    language_roots,
    page_language,
    translation_for_reader,
)


def _route_in_tree(request, site, root_path: str, components: list[str]):
    if root_path == site.root_page.url_path:
        root = site.root_page
    else:
        root = Page.objects.filter(url_path=root_path, depth=site.root_page.depth).first()
        if root is None:
            return None
    try:
        return root.specific.route(request, components)
    except Http404:
        return None


def _serve_chain(page, request, args, kwargs):
    return page.serve(request, *args, **kwargs)


def serve(request, path):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    roots = language_roots(site)
    tree_language = translation.get_language_from_path(request.path_info) or default_language()
    components = [component for component in path.split("/") if component]
    reader = translation.get_language()

    route = None
    if tree_language in roots:
        route = _route_in_tree(request, site, roots[tree_language], components)
    if route is None:
        # A French address for an English page (the language switcher sends readers
        # there when the page has no French version yet), or the reverse: the page
        # exists in another language's tree.
        for language, root_path in roots.items():
            if language == tree_language:
                continue
            found = _route_in_tree(request, site, root_path, components)
            if found is not None:
                page = found[0]
                target = (translation_for_reader(page, reader) or page).get_url(request)
                if target != request.path:
                    return redirect(target)
                # Never send a reader back where they are: serve what was found.
                route = found
                break
        if route is None:
            raise Http404
    page, args, kwargs = route
    if page.alias_of_id:
        # Wagtail copied this parent untranslated when a page under it was translated:
        # the reader gets the original, which says it is not translated yet.
        original = Page.objects.filter(pk=page.alias_of_id).first()
        if original is not None and page_language(original) != page_language(page):
            return redirect(original.get_url(request))

    translated = translation_for_reader(page, reader)
    if translated is not None:
        return redirect(translated.get_url(request))
    # What Wagtail's own helpers (the user bar, Page.find_for_request) read back.
    request._wagtail_route_for_request = route
    request.page_language = page_language(page)

    on_serve_chain = _serve_chain
    for fn in reversed(hooks.get_hooks("on_serve_page")):
        on_serve_chain = fn(on_serve_chain)
    for fn in hooks.get_hooks("before_serve_page"):
        result = fn(page, request, args, kwargs)
        if isinstance(result, HttpResponse):
            return result
    return on_serve_chain(page, request, args, kwargs)
