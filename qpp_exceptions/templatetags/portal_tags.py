"""Portal-wide template filters: ``{% load portal_tags %}``."""

from __future__ import annotations

from django import template

from qpp_exceptions.forms import mask_tin

register = template.Library()


@register.filter(name="masked_tin")
def masked_tin(value: object) -> str:
    """``{{ tin|masked_tin }}`` → ``****0093``: TINs are shown masked wherever the full TIN is not needed
    (house rules)."""
    return mask_tin(value)
