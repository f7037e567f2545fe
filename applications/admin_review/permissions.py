"""Who sees the CMS review queue (issue 7 point 8)."""

from __future__ import annotations

from typing import Any


def can_review(user: Any) -> bool:
    """Issue 7 point 8: nobody without the review permission sees the queue."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm("applications.decide_application")
    )
