"""Field values both formats share: the clinician type (our value or CMS's label) and the non-negative
low-volume amounts (whole numbers, or dollars and cents for allowed charges).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..models import ClinicianType

_TYPE_BY_LABEL = {label.lower(): value for value, label in ClinicianType.choices}
_TYPE_VALUES = set(ClinicianType.values)


def clinician_type_from(text: str) -> str | None:
    """Accept our value (``nurse_practitioner``) or CMS's label (``Nurse Practitioner``)."""
    cleaned = " ".join(text.split()).lower()
    if cleaned.replace(" ", "_") in _TYPE_VALUES:
        return cleaned.replace(" ", "_")
    return _TYPE_BY_LABEL.get(cleaned)


def _amount(value: object, *, integer: bool) -> Decimal | int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        number = int(str(value).strip()) if not isinstance(value, int | float) else int(value)
        if number < 0:
            raise ValueError
        return number
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("$"))
    except InvalidOperation as exc:
        raise ValueError from exc
    if amount < 0 or not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError
    return amount
