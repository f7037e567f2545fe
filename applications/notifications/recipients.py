"""Who hears about an application: its submitter's contact address and every Additional Access address,
lower-cased and de-duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..models import Application


def unique_addresses(addresses: Iterable[str]) -> list[str]:
    """Lower-cased, blanks dropped, duplicates removed case-insensitively, first occurrence order kept."""
    seen: dict[str, None] = {}
    for raw in addresses:
        email = (raw or "").strip().lower()
        if email and email not in seen:
            seen[email] = None
    return list(seen)


def application_recipients(application: Application) -> list[str]:
    """The submitter's contact email (their account email while a draft has none) and every Additional
    Access address (seed 003_…, Step 7 and FAQ), de-duplicated case-insensitively."""
    contact = application.contact_email or application.submitter.email
    extra = application.additional_access.order_by("email").values_list("email", flat=True)
    return unique_addresses([contact, *extra])
