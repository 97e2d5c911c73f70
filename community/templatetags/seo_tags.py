"""What base.html puts in <head> for search engines and link previews.

- {% capture as name %}…{% endcapture %} renders its content once and keeps it in
  `name`, so a block written once (title, description) also fills the OpenGraph
  and Twitter tags.
- {% canonical_url path=… page=… tag=… %}: the absolute address of the page, with
  only the query parameters given (empty ones and page 1 left out).
- |meta_description: a post's HTML as plain text, cut to a search result's length.
- {% thread_structured_data thread view %}: the thread page's JSON-LD (a QAPage once
  it has an answer, a DiscussionForumPosting before).
- {% og_image_url %}: the absolute address of the link previews' image: the site
  logo (a rendition) when editors set one, else the default brand image.
"""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from community import structured_data
from community.frame import og_image_path
from community.markdown import plain_text

register = template.Library()

META_DESCRIPTION_LENGTH = 160


class CaptureNode(template.Node):
    def __init__(self, nodelist, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        # The content was rendered with autoescaping: it is safe to output as is.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308
        return ""


@register.tag
def capture(parser, token):
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("Usage: {% capture as name %}…{% endcapture %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


@register.simple_tag(takes_context=True)
def canonical_url(context, path: str = "", **params) -> str:
    request = context.get("request")
    if request is None:
        return ""
    query = [
        (name, value)
        for name, value in params.items()
        if value not in (None, "") and not (name == "page" and str(value) == "1")
    ]
    address = (path or request.path) + (f"?{urlencode(query)}" if query else "")
    return request.build_absolute_uri(address)


@register.filter
def meta_description(body_html: str, length: int = META_DESCRIPTION_LENGTH) -> str:
    return Truncator(plain_text(body_html)).chars(length)


@register.simple_tag(takes_context=True)
def thread_structured_data(context, thread, view):
    request = context.get("request")
    if request is None:
        return ""
    page_url = canonical_url(context, thread.get_absolute_url(), page=view.replies.number)
    data = structured_data.thread_structured_data(
        thread=thread,
        replies=view.replies.object_list,
        featured=view.featured,
        page_url=page_url,
        request=request,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return structured_data.json_ld_script(data)


DEFAULT_OG_IMAGE = "img/og-default.png"


@register.simple_tag(takes_context=True)
def og_image_url(context) -> str:
    """The absolute address of the image link previews show for every page."""
    request = context.get("request")
    if request is None:
        return ""
    branding = context.get("site_branding")
    url = og_image_path(branding) if branding is not None else ""
    return request.build_absolute_uri(url or static(DEFAULT_OG_IMAGE))
