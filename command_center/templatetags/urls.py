"""``{% url %}`` as Django's, with each answer remembered: a template builtin (settings.TEMPLATES), so
every template's ``{% url %}`` is this one.

A list page writes about 125 links (three or so per row, the navigation's 17), and ``reverse()``
works each out from the URL patterns every time (~15-25 µs). The same rows are asked for again and
again, so the answer for a view name and its arguments is kept (per process, the most recent
4,096): a link is then a lookup. Only positional arguments of plain types are remembered; anything
else goes to Django's own tag. The key holds the URLconf and the script prefix, so a test's
``override_settings(ROOT_URLCONF=...)`` or a mounted prefix never gets another's answer.
"""

import functools
import uuid

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

_PLAIN = (str, int, uuid.UUID)


@functools.lru_cache(maxsize=4096)
def _reverse(urlconf, prefix, view_name, current_app, args):
    # prefix is in the key only: reverse() reads the same script prefix itself.
    return reverse(view_name, urlconf=urlconf, args=args, current_app=current_app)


class RememberedURLNode(defaulttags.URLNode):
    def render(self, context):
        if self.kwargs:
            return super().render(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        if not all(type(arg) in _PLAIN for arg in args):
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:  # as Django's tag finds it
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = _reverse(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), view_name, current_app, args)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = RememberedURLNode
    return node
