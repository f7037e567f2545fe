"""Tags behind the ``uswds`` crispy-forms template pack (``templates/uswds/``).

The templates hold the USWDS markup; this module only computes what plain template logic cannot do
cleanly: which USWDS kind a widget is, the ids that tie a control to its hint and error message
(``aria-describedby``), the widget HTML with USWDS classes merged into the developer's own, the options of a
radio or checkbox group, the parts of a memorable date, and the list of links of the error summary.
See docs/decisions/0002-uswds-form-rendering.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.formsets import BaseFormSet
from django.forms.utils import flatatt
from django.template import Context
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from qpp_exceptions.forms import MEMORABLE_DATE_EXAMPLE_HINT, MemorableDateWidget

register = template.Library()

# Attributes the templates write themselves on a group's options; the rest of a widget's attrs pass through.
_OPTION_OWN_ATTRS = {"id", "class", "checked", "type", "name", "value", "aria-describedby", "aria-invalid"}
# Widget attrs that configure rendering and must not leak into the HTML.
_RENDER_FLAGS = {"tile", "data-character-count"}


@dataclass
class ChoiceOption:
    id: str
    name: str
    value: str
    label: Any
    checked: bool
    description: str
    attrs: SafeString


@dataclass
class DatePart:
    part: str  # month | day | year: the usa-form-group--<part> modifier
    label: str
    id: str
    name: str
    value: str
    attrs: SafeString


@dataclass
class UswdsField:
    """Everything ``uswds/field.html`` needs to render one bound field."""

    field: BoundField
    kind: str  # hidden | checkbox | choices | date | input
    id: str
    hint_id: str
    error_id: str
    info_id: str
    errors: list[str]
    required: bool
    describedby: str
    widget_html: SafeString = SafeString("")
    input_type: str = ""  # radio | checkbox, for kind == "choices"
    options: list[ChoiceOption] = field(default_factory=list)
    parts: list[DatePart] = field(default_factory=list)
    date_hint: str = ""
    tile: bool = False
    character_count: int | None = None

    @property
    def label(self) -> Any:
        return self.field.label

    @property
    def help_text(self) -> Any:
        return self.field.help_text

    @property
    def has_hint(self) -> bool:
        return bool(self.field.help_text) or self.kind == "date"


def _widget_kind(widget: forms.Widget) -> str:
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, MemorableDateWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple subclasses RadioSelect
        return "choices"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def _uswds_class(widget: forms.Widget, invalid: bool) -> str:
    """USWDS classes for a single control (``usa-input--error`` marks text inputs, selects and textareas)."""
    if isinstance(widget, forms.CheckboxInput):
        return "usa-checkbox__input" + (" usa-checkbox__input--tile" if _is_tile(widget) else "")
    if isinstance(widget, forms.Textarea):
        base = "usa-textarea"
    elif isinstance(widget, forms.Select):
        base = "usa-select"
    elif isinstance(widget, forms.FileInput):
        return "usa-file-input"
    else:
        base = "usa-input"
    return base + (" usa-input--error" if invalid else "")


def _is_tile(widget: forms.Widget) -> bool:
    return bool(getattr(widget, "tile", False) or widget.attrs.get("tile"))


def _merge_classes(*parts: str | None) -> str:
    seen: list[str] = []
    for part in parts:
        for token in (part or "").split():
            if token not in seen:
                seen.append(token)
    return " ".join(seen)


def field_anchor_id(bound_field: BoundField) -> str:
    """The id of the control an error-summary link must move focus to: the input itself, or for radio and
    checkbox groups and memorable dates the first input of the group."""
    widget = bound_field.field.widget
    base_id = widget.attrs.get("id") or bound_field.auto_id
    if not base_id:
        return ""
    kind = _widget_kind(widget)
    if kind in ("choices", "date"):
        return f"{base_id}_0"
    return bound_field.id_for_label or base_id


@register.simple_tag
def uswds_field(bound_field: BoundField, show_errors: Any = True) -> UswdsField:
    """``{% uswds_field field form_show_errors as f %}``: the rendering plan for one field."""
    widget = bound_field.field.widget
    kind = _widget_kind(widget)
    base_id = widget.attrs.get("id") or bound_field.auto_id or ""
    # form_show_errors is False only when a FormHelper turns inline errors off; unset means show them.
    errors = [str(error) for error in bound_field.errors] if show_errors is not False else []
    invalid = bool(bound_field.errors)
    hint_id = f"{base_id}-hint" if base_id else ""
    error_id = f"{base_id}-error" if base_id else ""
    info_id = f"{base_id}-info" if base_id else ""

    character_count = None
    max_length = getattr(bound_field.field, "max_length", None)
    if kind == "input" and widget.attrs.get("data-character-count") and max_length:
        character_count = int(max_length)

    described = []
    if base_id:
        if character_count:
            described.append(info_id)
        if bound_field.help_text or kind == "date":
            described.append(hint_id)
        if errors:
            described.append(error_id)
    developer_described = widget.attrs.get("aria-describedby")
    if developer_described:
        described.append(developer_described)
    describedby = " ".join(described)

    plan = UswdsField(
        field=bound_field,
        kind=kind,
        id=base_id,
        hint_id=hint_id,
        error_id=error_id,
        info_id=info_id,
        errors=errors,
        required=bound_field.field.required,
        describedby=describedby,
        tile=_is_tile(widget),
        character_count=character_count,
    )

    if kind == "hidden":
        plan.widget_html = bound_field.as_widget()
    elif kind in ("input", "checkbox"):
        attrs: dict[str, Any] = {
            "class": _merge_classes(
                _uswds_class(widget, invalid),
                "usa-character-count__field" if character_count else "",
                widget.attrs.get("class"),
            )
        }
        if describedby:
            attrs["aria-describedby"] = describedby
        if invalid:
            attrs["aria-invalid"] = "true"
        plan.widget_html = _render_without_flags(bound_field, attrs)
    elif kind == "choices":
        plan.input_type = "checkbox" if isinstance(widget, forms.CheckboxSelectMultiple) else "radio"
        plan.options = _choice_options(bound_field, describedby, invalid)
    elif kind == "date":
        plan.parts = _date_parts(bound_field, describedby, invalid)
        plan.date_hint = MEMORABLE_DATE_EXAMPLE_HINT
    return plan


def _render_without_flags(bound_field: BoundField, attrs: dict[str, Any]) -> SafeString:
    widget = bound_field.field.widget
    flags = {key: widget.attrs.pop(key) for key in list(widget.attrs) if key in _RENDER_FLAGS}
    try:
        return bound_field.as_widget(attrs=attrs)
    finally:
        widget.attrs.update(flags)


def _choice_options(bound_field: BoundField, describedby: str, invalid: bool) -> list[ChoiceOption]:
    widget = bound_field.field.widget
    base_id = widget.attrs.get("id") or bound_field.auto_id
    attrs = bound_field.build_widget_attrs({**widget.attrs, **({"id": base_id} if base_id else {})})
    values = widget.format_value(bound_field.value())
    descriptions = getattr(widget, "descriptions", {}) or {}
    options = []
    for _group_name, group_options, _index in widget.optgroups(bound_field.html_name, values, attrs):
        for option in group_options:
            option_attrs = option["attrs"]
            passthrough = {
                key: value
                for key, value in option_attrs.items()
                if key not in _OPTION_OWN_ATTRS and key not in _RENDER_FLAGS and value is not False
            }
            if describedby:
                passthrough["aria-describedby"] = describedby
            if invalid:
                passthrough["aria-invalid"] = "true"
            options.append(
                ChoiceOption(
                    id=option_attrs.get("id", ""),
                    name=option["name"],
                    value=str(option["value"]),
                    label=option["label"],
                    checked=bool(option["selected"]),
                    description=descriptions.get(str(option["value"]), ""),
                    attrs=mark_safe(flatatt(passthrough)),  # noqa: S308 - flatatt escapes every value  # nosec B308 B703
                )
            )
    return options


def _date_parts(bound_field: BoundField, describedby: str, invalid: bool) -> list[DatePart]:
    widget: MemorableDateWidget = bound_field.field.widget  # type: ignore[assignment]
    base_id = widget.attrs.get("id") or bound_field.auto_id or ""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = widget.decompress(value)
    shared = {key: val for key, val in widget.attrs.items() if key not in ("id", "class", *_RENDER_FLAGS)}
    if bound_field.field.disabled:
        shared["disabled"] = True
    if bound_field.field.required and bound_field.form.use_required_attribute:
        shared["required"] = True
    parts = []
    for index, (subwidget, part, label) in enumerate(
        zip(widget.widgets, widget.part_names, widget.part_labels, strict=True)
    ):
        part_attrs = {**shared, **subwidget.attrs}
        part_attrs["class"] = _merge_classes(
            "usa-input" + (" usa-input--error" if invalid else ""), subwidget.attrs.get("class")
        )
        if describedby:
            part_attrs["aria-describedby"] = describedby
        if invalid:
            part_attrs["aria-invalid"] = "true"
        part_value = value[index] if index < len(value) else None
        parts.append(
            DatePart(
                part=part,
                label=label,
                id=f"{base_id}_{index}" if base_id else "",
                name=f"{bound_field.html_name}_{index}",
                value="" if part_value is None else str(part_value),
                attrs=mark_safe(flatatt(part_attrs)),  # noqa: S308 - flatatt escapes every value  # nosec B308 B703
            )
        )
    return parts


# --- Error summary -----------------------------------------------------------------------------------


@dataclass
class SummaryItem:
    message: str
    href: str  # "#id_<field>" or "" for errors not tied to a visible control
    label: str = ""  # the field's label, shortened: generic messages ("This field is required.") need it


@dataclass
class ErrorSummary:
    items: list[SummaryItem]

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def heading(self) -> str:
        # Wording of the USWDS / GOV.UK error-summary pattern.
        if self.count == 1:
            return "There is a problem"
        return f"There are {self.count} problems with this form"


def _form_items(form: forms.BaseForm) -> list[SummaryItem]:
    if not form.is_bound or not form.errors:
        return []
    items = [SummaryItem(str(message), "") for message in form.non_field_errors()]
    for name in form.fields:
        if name not in form.errors:
            continue
        bound_field = form[name]
        if bound_field.is_hidden:
            # A hidden field cannot be focused: name it, as Django's own renderer does.
            items.extend(
                SummaryItem(f"(Hidden field {name}) {message}", "") for message in bound_field.errors
            )
            continue
        anchor = field_anchor_id(bound_field)
        # Attestation checkboxes have paragraph-long labels: the summary names the field in a few words.
        label = Truncator(str(bound_field.label or "")).words(12, truncate="…").rstrip(":")
        items.extend(
            SummaryItem(str(message), f"#{anchor}" if anchor else "", label) for message in bound_field.errors
        )
    return items


@register.simple_tag
def uswds_error_summary(form_or_formset: Any) -> ErrorSummary:
    """``{% uswds_error_summary form as summary %}``: one item per message, in page order."""
    if isinstance(form_or_formset, BaseFormSet):
        if not form_or_formset.is_bound:
            return ErrorSummary([])
        items = [SummaryItem(str(message), "") for message in form_or_formset.non_form_errors()]
        for form in form_or_formset.forms:
            items.extend(_form_items(form))
        return ErrorSummary(items)
    if form_or_formset is None or not hasattr(form_or_formset, "errors"):
        return ErrorSummary([])
    return ErrorSummary(_form_items(form_or_formset))


# --- Buttons -----------------------------------------------------------------------------------------


@register.filter
def uswds_button_classes(field_classes: str) -> str:
    """crispy-forms' Submit/Button/Reset carry Bootstrap classes (``btn btn-primary``): drop them, keep the
    developer's own (``usa-button--outline`` …) and add ``usa-button``."""
    tokens = (field_classes or "").split()
    kept = [token for token in tokens if token != "btn" and not token.startswith("btn-")]
    return _merge_classes("usa-button", *kept)


@register.simple_tag(takes_context=True)
def uswds_button_group_items(context: Context, container: Any, fields_output: str) -> list[SafeString]:
    """The children of a ButtonHolder / FormActions, each rendered on its own so the template can wrap it in
    ``<li class="usa-button-group__item">``. Containers holding form fields are not split (a field must be
    rendered once only): their already rendered output comes back as a single item."""
    from crispy_forms.layout import HTML, BaseInput

    children = getattr(container, "fields", [])
    if not children or not all(isinstance(child, BaseInput | HTML) for child in children):
        # crispy's own rendered (autoescaped) output, only marked safe again for the template.
        return [SafeString(fields_output)] if str(fields_output).strip() else []  # nosec B703
    template_pack = context.get("template_pack") or "uswds"
    form = context.get("form")
    items = []
    for child in children:
        html = child.render(form, Context(context.flatten()), template_pack=template_pack)
        if str(html).strip():
            items.append(SafeString(html))  # nosec B703 - a template's autoescaped output
    return items


@register.filter
def uswds_has_required_field(form: Any) -> bool:
    """Whether the form shows a required marker anywhere (then the page explains the asterisk, as the USWDS
    form templates do)."""
    fields = getattr(form, "visible_fields", None)
    if fields is None:
        return False
    return any(bound_field.field.required for bound_field in fields())
