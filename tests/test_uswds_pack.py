"""The ``uswds`` crispy-forms template pack, the memorable date and the described choices.

The rendered HTML is parsed with the standard library's html.parser into a small element tree so the tests
check structure (ids, attributes, nesting) rather than exact strings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from crispy_forms.layout import HTML, Button, ButtonHolder, Div, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from qpp_exceptions.forms import (
    MEMORABLE_DATE_INVALID_MESSAGE,
    DescribedCheckboxSelectMultiple,
    DescribedRadioSelect,
    MemorableDateField,
    PortalFormHelper,
)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


# --- A tiny DOM ------------------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        return "".join(self.text_parts) + "".join(child.text for child in self.children)

    def iter(self):
        for child in self.children:
            yield child
            yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for element in self.iter():
            if tag and element.tag != tag:
                continue
            if cls and cls not in element.classes:
                continue
            if any(element.attrs.get(name.replace("_", "-")) != value for name, value in attrs.items()):
                continue
            found.append(element)
        return found

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls, **attrs)
        assert found, f"no <{tag} class={cls} {attrs}> found"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def closest(self, tag: str | None = None, cls: str | None = None) -> Element | None:
        for node in self.ancestors():
            if (tag is None or node.tag == tag) and (cls is None or cls in node.classes):
                return node
        return None


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, dict(attrs), parent=self.stack[-1])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        self.stack[-1].text_parts.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def ids(root: Element) -> dict[str, Element]:
    found: dict[str, Element] = {}
    for element in root.iter():
        element_id = element.attrs.get("id")
        if element_id:
            assert element_id not in found, f"duplicate id {element_id}"
            found[element_id] = element
    return found


def render_crispy(form) -> str:
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))


def render_filter(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


# --- Forms under test ------------------------------------------------------------------------------

REASONS = [
    ("decertified_ehr", "Decertified EHR technology"),
    ("insufficient_internet", "Insufficient internet connectivity"),
    ("extreme_circumstances", "Extreme and uncontrollable circumstances"),
]


class EveryFieldForm(forms.Form):
    full_name = forms.CharField(label="Full name", help_text="As on your NPPES record.")
    email = forms.EmailField(label="Email address")
    phone = forms.CharField(label="Phone", widget=forms.TextInput(attrs={"type": "tel"}), required=False)
    clinicians = forms.IntegerField(label="Number of clinicians")
    password = forms.CharField(label="Password", widget=forms.PasswordInput)
    year = forms.ChoiceField(label="Performance year", choices=[("", "- Select -"), ("2026", "2026")])
    reason = forms.ChoiceField(
        label="Reason",
        choices=REASONS,
        widget=DescribedRadioSelect(descriptions={"decertified_ehr": "Your CEHRT was decertified."}),
        help_text="Choose the reason that applies.",
    )
    categories = forms.MultipleChoiceField(
        label="Categories",
        choices=[("quality", "Quality"), ("cost", "Cost")],
        widget=forms.CheckboxSelectMultiple,
    )
    start_date = MemorableDateField(label="Start date of the event")
    explanation = forms.CharField(
        label="Explanation",
        max_length=200,
        widget=forms.Textarea(attrs={"data-character-count": "true"}),
    )
    attest = forms.BooleanField(label="I attest this is true.")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if self.data.get("trigger_non_field"):
            raise ValidationError("These answers contradict each other.")
        return cleaned


EMPTY_POST = {"trigger_non_field": "1", "start_date_0": "2", "start_date_1": "30", "start_date_2": "2024"}

VALID_POST = {
    "full_name": "Mary Thompson",
    "email": "clinician@example.com",
    "phone": "555-0100",
    "clinicians": "3",
    "password": "secret-value",
    "year": "2026",
    "reason": "decertified_ehr",
    "categories": ["quality", "cost"],
    "start_date_0": "2",
    "start_date_1": "29",
    "start_date_2": "2024",
    "explanation": "Our vendor lost certification.",
    "attest": "on",
}


def total_errors(form) -> int:
    return sum(len(errors) for errors in form.errors.values())


# --- Error summary ---------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_crispy, render_filter])
def test_error_summary_links_every_error_to_an_existing_control(render):
    form = EveryFieldForm(data=EMPTY_POST)
    assert not form.is_valid()
    root = parse(render(form))
    by_id = ids(root)

    summaries = [element for element in root.iter() if "data-error-summary" in element.attrs]
    assert len(summaries) == 1
    summary = summaries[0]
    assert {"usa-alert", "usa-alert--error"} <= set(summary.classes)
    assert summary.attrs["role"] == "alert"
    assert summary.attrs["tabindex"] == "-1"
    expected_count = total_errors(form)
    assert expected_count > 10
    assert summary.find("h2").text.strip() == f"There are {expected_count} problems with this form"

    items = summary.find_all("li")
    assert len(items) == expected_count
    links = summary.find_all("a")
    # Every field error is a link; the one non-field error is plain text.
    assert len(links) == expected_count - 1
    assert "These answers contradict each other." in [item.text.strip() for item in items]
    for link in links:
        target_id = link.attrs["href"].removeprefix("#")
        assert target_id in by_id, f"summary link {link.attrs['href']} points nowhere"
        assert by_id[target_id].tag in {"input", "select", "textarea"}
    hrefs = [link.attrs["href"] for link in links]
    assert "#id_full_name" in hrefs
    assert "#id_reason_0" in hrefs  # first radio of the group
    assert "#id_categories_0" in hrefs  # first checkbox of the group
    assert "#id_start_date_0" in hrefs  # month input of the memorable date
    assert "#id_attest" in hrefs
    # The summary comes before the first field.
    order = list(root.iter())
    assert order.index(summary) < order.index(by_id["id_full_name"])


def test_error_summary_names_the_field_with_its_message():
    form = EveryFieldForm(data=EMPTY_POST)
    root = parse(render_crispy(form))
    summary = next(element for element in root.iter() if "data-error-summary" in element.attrs)
    texts = [link.text for link in summary.find_all("a")]
    assert "Full name: This field is required." in texts
    assert f"Start date of the event: {MEMORABLE_DATE_INVALID_MESSAGE}" in texts


def test_single_error_heading():
    form = EveryFieldForm(data={**VALID_POST, "email": "not-an-email"})
    root = parse(render_crispy(form))
    summary = next(element for element in root.iter() if "data-error-summary" in element.attrs)
    assert summary.find("h2").text.strip() == "There is a problem"
    assert [link.attrs["href"] for link in summary.find_all("a")] == ["#id_email"]


@pytest.mark.parametrize("render", [render_crispy, render_filter])
def test_valid_bound_form_has_no_summary_and_no_error_state(render):
    form = EveryFieldForm(data=VALID_POST)
    assert form.is_valid(), form.errors
    html = render(form)
    root = parse(html)
    assert not [element for element in root.iter() if "data-error-summary" in element.attrs]
    assert "aria-invalid" not in html
    assert "usa-form-group--error" not in html
    assert "usa-error-message" not in html


def test_unbound_form_has_no_summary():
    html = render_crispy(EveryFieldForm())
    assert "data-error-summary" not in html
    assert "aria-invalid" not in html


def test_hidden_field_error_is_listed_without_a_link():
    class HiddenForm(forms.Form):
        step = forms.CharField(widget=forms.HiddenInput)

    root = parse(render_crispy(HiddenForm(data={})))
    summary = next(element for element in root.iter() if "data-error-summary" in element.attrs)
    assert summary.find_all("a") == []
    assert "(Hidden field step) This field is required." in summary.text


def test_formset_has_one_summary_for_all_forms():
    class DateForm(forms.Form):
        when = MemorableDateField(label="Date")

    formset_class = forms.formset_factory(DateForm, extra=2)
    formset = formset_class(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-when_0": "1",
            "form-1-when_0": "13",
            "form-1-when_1": "1",
            "form-1-when_2": "2020",
        }
    )
    html = Template("{% load crispy_forms_tags %}{% crispy fs %}").render(Context({"fs": formset}))
    root = parse(html)
    by_id = ids(root)
    summaries = [element for element in root.iter() if "data-error-summary" in element.attrs]
    assert len(summaries) == 1
    hrefs = [link.attrs["href"] for link in summaries[0].find_all("a")]
    assert hrefs == ["#id_form-0-when_0", "#id_form-1-when_0"]
    assert all(href[1:] in by_id for href in hrefs)
    assert "id_form-TOTAL_FORMS" in by_id


# --- Field markup ----------------------------------------------------------------------------------


def test_aria_wiring_on_fields_in_error():
    form = EveryFieldForm(data=EMPTY_POST)
    root = parse(render_crispy(form))
    by_id = ids(root)
    controls = [
        element
        for element in root.iter()
        if element.tag in {"input", "select", "textarea"} and element.attrs.get("type") not in {"hidden"}
    ]
    assert controls
    for control in controls:
        name = control.attrs["name"]
        field_name = name.rsplit("_", 1)[0] if name.startswith("start_date_") else name
        in_error = field_name in form.errors
        describedby = (control.attrs.get("aria-describedby") or "").split()
        for described_id in describedby:
            assert described_id in by_id, f"{name}: aria-describedby points to missing #{described_id}"
        if in_error:
            assert control.attrs.get("aria-invalid") == "true", name
            error_id = f"id_{field_name}-error"
            assert error_id in describedby, name
            message = by_id[error_id]
            assert message.tag == "span"
            assert "usa-error-message" in message.classes
            assert message.attrs["role"] == "alert"
            assert message.text.strip() in [str(error) for error in form.errors[field_name]]
            group = control.closest(cls="usa-form-group--error")
            assert group is not None, name
        else:
            assert "aria-invalid" not in control.attrs, name


def test_hint_is_linked_and_precedes_the_control():
    form = EveryFieldForm(data=EMPTY_POST)
    root = parse(render_crispy(form))
    by_id = ids(root)
    hint = by_id["id_full_name-hint"]
    assert hint.tag == "div"
    assert "usa-hint" in hint.classes
    assert hint.text == "As on your NPPES record."
    control = by_id["id_full_name"]
    assert control.attrs["aria-describedby"].split() == ["id_full_name-hint", "id_full_name-error"]
    order = list(root.iter())
    assert order.index(hint) < order.index(by_id["id_full_name-error"]) < order.index(control)
    # A field without help text references no hint.
    assert by_id["id_email"].attrs["aria-describedby"] == "id_email-error"


def test_labels_required_markers_and_error_classes():
    form = EveryFieldForm(data=EMPTY_POST)
    root = parse(render_crispy(form))
    label = root.find("label", **{"for": "id_email"})
    assert {"usa-label", "usa-label--error"} <= set(label.classes)
    marker = label.find("abbr")
    assert marker.attrs["title"] == "required"
    assert {"usa-hint", "usa-hint--required"} <= set(marker.classes)
    assert marker.text == "*"
    optional = root.find("label", **{"for": "id_phone"})
    assert optional.find_all("abbr") == []
    assert "usa-label--error" not in optional.classes


def test_uswds_classes_per_widget():
    root = parse(render_crispy(EveryFieldForm(data=EMPTY_POST)))
    by_id = ids(root)
    for field_id in ("id_full_name", "id_email", "id_phone", "id_clinicians", "id_password"):
        assert "usa-input" in by_id[field_id].classes, field_id
    assert by_id["id_email"].attrs["type"] == "email"
    assert by_id["id_phone"].attrs["type"] == "tel"
    assert by_id["id_clinicians"].attrs["type"] == "number"
    assert by_id["id_password"].attrs["type"] == "password"
    assert "usa-input--error" in by_id["id_email"].classes
    assert "usa-input--error" not in by_id["id_phone"].classes
    assert by_id["id_year"].tag == "select"
    assert {"usa-select", "usa-input--error"} <= set(by_id["id_year"].classes)
    assert by_id["id_explanation"].tag == "textarea"
    assert "usa-textarea" in by_id["id_explanation"].classes
    attest = by_id["id_attest"]
    assert attest.attrs["type"] == "checkbox"
    assert "usa-checkbox__input" in attest.classes
    assert attest.parent.tag == "div" and "usa-checkbox" in attest.parent.classes
    attest_label = root.find("label", **{"for": "id_attest"})
    assert "usa-checkbox__label" in attest_label.classes
    assert "I attest this is true." in attest_label.text
    hidden = by_id["id_token"]
    assert hidden.attrs["type"] == "hidden"
    assert hidden.closest(cls="usa-form-group") is None


@pytest.mark.parametrize(
    ("field_name", "input_type", "count"), [("reason", "radio", 3), ("categories", "checkbox", 2)]
)
def test_radio_and_checkbox_groups_sit_in_a_fieldset_with_legend(field_name, input_type, count):
    form = EveryFieldForm(data=EMPTY_POST)
    root = parse(render_crispy(form))
    inputs = [element for element in root.find_all("input") if element.attrs.get("name") == field_name]
    assert len(inputs) == count
    fieldset = inputs[0].closest("fieldset")
    assert fieldset is not None and "usa-fieldset" in fieldset.classes
    assert all(element.closest("fieldset") is fieldset for element in inputs)
    legend = fieldset.children[0]
    assert legend.tag == "legend"
    assert "usa-legend" in legend.classes
    assert form[field_name].label in legend.text
    for index, element in enumerate(inputs):
        assert element.attrs["type"] == input_type
        assert element.attrs["id"] == f"id_{field_name}_{index}"
        assert f"usa-{input_type}__input" in element.classes
        assert element.parent.classes == [f"usa-{input_type}"]
        label = root.find("label", **{"for": element.attrs["id"]})
        assert f"usa-{input_type}__label" in label.classes
        assert element.attrs["aria-invalid"] == "true"
        assert f"id_{field_name}-error" in element.attrs["aria-describedby"].split()


def test_choice_state_survives_a_round_trip():
    form = EveryFieldForm(data={**EMPTY_POST, "reason": "insufficient_internet", "categories": ["cost"]})
    root = parse(render_crispy(form))
    checked = {element.attrs["id"] for element in root.find_all("input") if "checked" in element.attrs}
    assert checked == {"id_reason_1", "id_categories_1"}


def test_described_radio_renders_title_and_description():
    root = parse(render_crispy(EveryFieldForm()))
    label = root.find("label", **{"for": "id_reason_0"})
    assert "Decertified EHR technology" in label.find("span", cls="text-bold").text
    assert label.find("span", cls="usa-radio__label-description").text == "Your CEHRT was decertified."
    # Choices without a description have none.
    assert root.find("label", **{"for": "id_reason_1"}).find_all(cls="usa-radio__label-description") == []


def test_described_checkboxes_and_tile_variant():
    class TileForm(forms.Form):
        categories = forms.MultipleChoiceField(
            choices=[("quality", "Quality"), ("cost", "Cost")],
            widget=DescribedCheckboxSelectMultiple(
                descriptions={"cost": "Calculated from claims."}, tile=True
            ),
        )
        confirm = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"tile": True}))

    html = render_crispy(TileForm())
    root = parse(html)
    for element in root.find_all("input", type="checkbox"):
        assert "usa-checkbox__input--tile" in element.classes
        assert "tile" not in element.attrs
    description = root.find("label", **{"for": "id_categories_1"}).find(cls="usa-checkbox__label-description")
    assert description.text == "Calculated from claims."


def test_described_widget_descriptions_are_not_shared_between_form_instances():
    first = EveryFieldForm()
    second = EveryFieldForm()
    first.fields["reason"].widget.descriptions["insufficient_internet"] = "changed"
    assert "insufficient_internet" not in second.fields["reason"].widget.descriptions


def test_character_count_markup():
    root = parse(render_crispy(EveryFieldForm()))
    by_id = ids(root)
    textarea = by_id["id_explanation"]
    wrapper = textarea.closest(cls="usa-character-count")
    assert wrapper is not None
    assert "usa-character-count__field" in textarea.classes
    assert textarea.attrs["maxlength"] == "200"
    assert "data-character-count" not in textarea.attrs
    message = by_id["id_explanation-info"]
    assert "usa-character-count__message" in message.classes
    assert message.closest(cls="usa-character-count") is wrapper
    assert "You can enter up to 200 characters" in message.text
    assert "id_explanation-info" in textarea.attrs["aria-describedby"].split()
    # No counter for a field without the opt-in attribute.
    assert by_id["id_full_name"].closest(cls="usa-character-count") is None


def test_required_note_explains_the_asterisk():
    html = render_crispy(EveryFieldForm())
    assert "A red asterisk" in html

    class OptionalForm(forms.Form):
        note = forms.CharField(required=False)

    assert "A red asterisk" not in render_crispy(OptionalForm())


def test_hide_labels_keeps_them_for_screen_readers():
    form = EveryFieldForm()
    form.helper = PortalFormHelper(form_show_labels=False)
    root = parse(render_crispy(form))
    label = root.find("label", **{"for": "id_email"})
    assert "usa-sr-only" in label.classes


# --- Memorable date --------------------------------------------------------------------------------


class DateForm(forms.Form):
    when = MemorableDateField(label="Date of the event", help_text="The first day it affected you.")


class OptionalDateForm(forms.Form):
    when = MemorableDateField(label="End date", required=False)


def date_data(month, day, year):
    return {"when_0": month, "when_1": day, "when_2": year}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("2", "29", "2024"), datetime.date(2024, 2, 29)),  # leap year
        (("02", "09", "2024"), datetime.date(2024, 2, 9)),  # leading zeros
        ((" 12 ", "31", "2026"), datetime.date(2026, 12, 31)),
        (("1", "1", "2000"), datetime.date(2000, 1, 1)),
        (("2", "29", "2000"), datetime.date(2000, 2, 29)),  # divisible by 400: leap
    ],
)
def test_valid_memorable_dates(parts, expected):
    form = DateForm(data=date_data(*parts))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == expected


@pytest.mark.parametrize(
    "parts",
    [
        ("2", "30", "2024"),  # February 30 does not exist
        ("2", "29", "2023"),  # not a leap year
        ("2", "29", "1900"),  # divisible by 100, not by 400
        ("4", "31", "2024"),
        ("13", "1", "2024"),
        ("0", "10", "2024"),
        ("1", "0", "2024"),
        ("ja", "1", "2024"),
        ("1", "1", "20x4"),
        ("1", "-1", "2024"),
        ("١", "1", "2024"),  # non-ASCII digit
    ],
)
def test_impossible_dates_are_refused(parts):
    form = DateForm(data=date_data(*parts))
    assert not form.is_valid()
    assert form.errors["when"] == [MEMORABLE_DATE_INVALID_MESSAGE]
    assert MEMORABLE_DATE_INVALID_MESSAGE == "Enter a real date, for example 12 31 2024"


def test_two_digit_year_is_explained():
    form = DateForm(data=date_data("1", "1", "24"))
    assert form.errors["when"] == ["Enter the year as 4 digits, for example 2024."]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (("2", "", "2024"), "The date must include a day."),
        (("", "3", "2024"), "The date must include a month."),
        (("2", "3", ""), "The date must include a year."),
        (("2", "", ""), "The date must include a day and a year."),
        (("", "", "2024"), "The date must include a month and a day."),
    ],
)
def test_missing_parts_are_named(parts, message):
    form = DateForm(data=date_data(*parts))
    assert form.errors["when"] == [message]


def test_empty_required_date_and_empty_optional_date():
    assert DateForm(data=date_data("", "", "")).errors["when"] == ["Enter a date."]
    assert DateForm(data={}).errors["when"] == ["Enter a date."]
    optional = OptionalDateForm(data=date_data("", " ", ""))
    assert optional.is_valid()
    assert optional.cleaned_data["when"] is None


def test_min_and_max_dates():
    class WindowForm(forms.Form):
        when = MemorableDateField(min_date=datetime.date(2026, 1, 1), max_date=datetime.date(2026, 12, 31))

    assert WindowForm(data=date_data("12", "31", "2025")).errors["when"] == [
        "Enter a date on or after January 1, 2026."
    ]
    assert WindowForm(data=date_data("1", "1", "2027")).errors["when"] == [
        "Enter a date on or before December 31, 2026."
    ]
    assert WindowForm(data=date_data("6", "15", "2026")).is_valid()


def test_memorable_date_markup():
    root = parse(render_crispy(DateForm()))
    by_id = ids(root)
    month, day, year = by_id["id_when_0"], by_id["id_when_1"], by_id["id_when_2"]
    wrapper = month.closest(cls="usa-memorable-date")
    assert wrapper is not None
    fieldset = wrapper.closest("fieldset")
    assert "usa-fieldset" in fieldset.classes
    legend = fieldset.children[0]
    assert legend.tag == "legend" and "usa-legend" in legend.classes
    assert "Date of the event" in legend.text
    hint = by_id["id_when-hint"]
    assert hint.closest("fieldset") is fieldset
    assert "For example: January 19 2000" in hint.text
    assert "The first day it affected you." in hint.text
    for control, part, label_text, name in (
        (month, "month", "Month", "when_0"),
        (day, "day", "Day", "when_1"),
        (year, "year", "Year", "when_2"),
    ):
        group = control.parent
        assert {"usa-form-group", f"usa-form-group--{part}"} <= set(group.classes)
        assert root.find("label", **{"for": control.attrs["id"]}).text == label_text
        assert control.attrs["inputmode"] == "numeric"
        assert control.attrs["name"] == name
        assert "usa-input" in control.classes
        assert control.attrs["aria-describedby"] == "id_when-hint"
    assert month.attrs["maxlength"] == "2"
    assert year.attrs["maxlength"] == "4"


def test_memorable_date_initial_and_bound_round_trips():
    initial = parse(render_crispy(DateForm(initial={"when": datetime.date(2024, 5, 13)})))
    assert [initial.find(id=f"id_when_{i}").attrs["value"] for i in range(3)] == ["5", "13", "2024"]

    iso_initial = parse(render_crispy(DateForm(initial={"when": "2024-12-31"})))
    assert [iso_initial.find(id=f"id_when_{i}").attrs["value"] for i in range(3)] == ["12", "31", "2024"]

    # What the user typed comes back exactly, even when it is wrong.
    bound = DateForm(data=date_data("2", "30", "2024"))
    root = parse(render_crispy(bound))
    assert [root.find(id=f"id_when_{i}").attrs["value"] for i in range(3)] == ["2", "30", "2024"]
    for i in range(3):
        control = root.find(id=f"id_when_{i}")
        assert control.attrs["aria-invalid"] == "true"
        assert "usa-input--error" in control.classes
        assert control.attrs["aria-describedby"].split() == ["id_when-hint", "id_when-error"]

    # A valid submission re-renders (e.g. on a review page) with the same parts and no error.
    valid = DateForm(data=date_data("2", "29", "2024"))
    assert valid.is_valid()
    root = parse(render_crispy(valid))
    assert [root.find(id=f"id_when_{i}").attrs["value"] for i in range(3)] == ["2", "29", "2024"]


def test_memorable_date_has_changed():
    field = MemorableDateField()
    assert not field.has_changed(datetime.date(2024, 5, 13), ["5", "13", "2024"])
    assert field.has_changed(datetime.date(2024, 5, 13), ["5", "14", "2024"])
    assert field.has_changed(None, ["2", "30", "2024"])


# --- Escaping --------------------------------------------------------------------------------------


@pytest.mark.parametrize("render", [render_crispy, render_filter])
def test_hostile_label_help_choice_and_error_text_is_escaped(render):
    class HostileForm(forms.Form):
        name = forms.CharField(label=HOSTILE, help_text=HOSTILE)
        choice = forms.ChoiceField(
            label=HOSTILE,
            choices=[("a", HOSTILE)],
            widget=DescribedRadioSelect(descriptions={"a": HOSTILE}),
        )
        when = MemorableDateField(label=HOSTILE, help_text=HOSTILE)

        def clean_name(self):
            raise ValidationError(HOSTILE)

        def clean(self):
            raise ValidationError(HOSTILE)

    form = HostileForm(data={"name": "x", "choice": "b"})
    html = render(form)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    root = parse(html)
    # The hostile text is shown as text in the label, the hint, the error message and the summary.
    assert HOSTILE in root.find("label", **{"for": "id_name"}).text
    assert root.find(id="id_name-hint").text == HOSTILE
    assert root.find(id="id_name-error").text == HOSTILE
    summary = next(element for element in root.iter() if "data-error-summary" in element.attrs)
    assert HOSTILE in summary.text


def test_hostile_submitted_values_are_escaped():
    form = EveryFieldForm(data={**EMPTY_POST, "full_name": HOSTILE, "start_date_0": '"><script>'})
    html = render_crispy(form)
    assert "<script>" not in html
    root = parse(html)
    assert root.find(id="id_full_name").attrs["value"] == HOSTILE
    assert root.find(id="id_start_date_0").attrs["value"] == '"><script>'


# --- Layout objects and the helper -----------------------------------------------------------------


class LayoutForm(forms.Form):
    npi = forms.CharField(label="NPI")
    reason = forms.ChoiceField(choices=REASONS, widget=forms.RadioSelect)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PortalFormHelper(
            form_action="/apply/step-2/",
            form_id="apply-form",
            attrs={"data-step": "2"},
            layout=Layout(
                Fieldset("About the clinician", "npi", css_class="portal-section"),
                Div("reason", css_class="margin-top-2", css_id="reason-box"),
                HTML('<p class="usa-prose">{{ intro }}</p>'),
                "secret",
                ButtonHolder(
                    Submit("continue", "Save and continue"),
                    Button("back", "Back", css_class="usa-button--outline"),
                ),
            ),
        )


def test_layout_objects_render_uswds_markup():
    form = LayoutForm(data={})
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form, "intro": "Step two <of> three"})
    )
    root = parse(html)
    form_element = root.find("form")
    assert form_element.attrs["action"] == "/apply/step-2/"
    assert form_element.attrs["method"] == "post"
    assert form_element.attrs["id"] == "apply-form"
    assert form_element.attrs["data-step"] == "2"
    assert "novalidate" in form_element.attrs
    assert {"usa-form", "usa-form--large"} <= set(form_element.classes)

    section = root.find("fieldset", cls="portal-section")
    assert "usa-fieldset" in section.classes
    assert section.children[0].tag == "legend"
    assert "usa-legend" in section.children[0].classes
    assert section.children[0].text == "About the clinician"
    assert section.find(id="id_npi") is not None

    box = root.find(id="reason-box")
    assert box.tag == "div" and "margin-top-2" in box.classes
    assert box.find(id="id_reason_0") is not None

    # HTML layout objects render the page context (autoescaped variables).
    assert root.find("p", cls="usa-prose").text == "Step two <of> three"
    assert "Step two &lt;of&gt; three" in html

    group = root.find("ul", cls="usa-button-group")
    items = group.find_all("li", cls="usa-button-group__item")
    assert len(items) == 2
    submit, back = items[0].find("input"), items[1].find("input")
    assert submit.attrs["type"] == "submit"
    assert submit.attrs["value"] == "Save and continue"
    assert submit.classes == ["usa-button"]
    assert back.attrs["type"] == "button"
    assert back.classes == ["usa-button", "usa-button--outline"]
    assert "btn" not in html.split("usa-button-group", 1)[1]

    summary = next(element for element in root.iter() if "data-error-summary" in element.attrs)
    assert [a.attrs["href"] for a in summary.find_all("a")] == ["#id_npi", "#id_reason_0"]


def test_helper_inputs_and_form_tag_off():
    form = LayoutForm()
    form.helper.form_tag = False
    form.helper.add_input(Submit("save", "Save"))
    root = parse(render_crispy(form))
    assert root.find_all("form") == []
    save = root.find("input", type="submit", name="save")
    assert save.classes == ["usa-button"]
    assert save.closest("li") is not None and "usa-button-group__item" in save.closest("li").classes


def test_get_method_has_no_csrf_token():
    form = LayoutForm()
    form.helper.form_method = "GET"
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form, "csrf_token": "abc"})
    )
    root = parse(html)
    assert root.find("form").attrs["method"] == "get"
    assert root.find_all("input", name="csrfmiddlewaretoken") == []


def test_post_form_includes_csrf_token():
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": LayoutForm(), "csrf_token": "abc123"})
    )
    token = parse(html).find("input", name="csrfmiddlewaretoken")
    assert token.attrs["value"] == "abc123"


def test_as_crispy_field_renders_one_field():
    form = EveryFieldForm(data=EMPTY_POST)
    html = Template("{% load crispy_forms_tags %}{{ form.email|as_crispy_field }}").render(
        Context({"form": form})
    )
    root = parse(html)
    assert "usa-form-group--error" in root.find("div").classes
    assert root.find(id="id_email").attrs["aria-invalid"] == "true"
    assert "data-error-summary" not in html
