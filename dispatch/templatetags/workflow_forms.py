"""``{% form_token %}``: the hidden one-time token of a workflow form written out by hand in a
template (the action forms of ``dispatch.forms`` carry theirs as a field)."""

from django import template
from django.utils.html import format_html

from dispatch.forms import new_form_token

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html('<input type="hidden" name="form_token" value="{}">', new_form_token())
