"""Cached participation-status lookups (issue 9; ADR 0074).

A participation-status lookup for an NPI in a large practice reads every member of the practice (the group
rules need them all: seed 003_…, "Group" reweighting, 75% of clinicians; seed README, eligibility v6) and
costs tens of milliseconds; the same NPI is looked up again and again (the eligibility API, the
participation-status page). The answer only changes when participation data is imported or edited, or when
an exception decision changes what is approved. So answers are kept in the shared cache under a data
version: every such write calls ``eligibility_data_changed()`` after it commits, which moves the version on,
and every earlier answer is then unreachable (it expires on its own). ``ELIGIBILITY_CACHE_SECONDS`` bounds
how long an answer can live even if some write path forgot to call it (0 turns caching off).

A cache that is down or slow never breaks a lookup: the answer is then computed as if nothing was cached.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

VERSION_KEY = "eligibility:data-version"
T = TypeVar("T")
_MISS = object()


def _timeout() -> int:
    return int(getattr(settings, "ELIGIBILITY_CACHE_SECONDS", 600))


def _clock_version() -> int:
    return int(timezone.now().timestamp() * 1_000_000)


def data_version() -> int:
    """The current data version; a fresh cache starts from the clock, so it never meets an old key."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _clock_version(), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there (evicted or never read): start from the clock
        cache.set(VERSION_KEY, _clock_version(), timeout=None)
    except Exception:  # noqa: BLE001 (a cache outage: answers expire within ELIGIBILITY_CACHE_SECONDS)
        logger.warning("eligibility cache: could not move the data version on", exc_info=True)


def eligibility_data_changed() -> None:
    """Participation data or an exception decision changed: forget every cached answer now (so reads later
    in the same transaction see the change) and again once the change is committed (an answer another
    request computed from the old rows in between is then unreachable too)."""
    _bump()
    transaction.on_commit(_bump)


def cached_lookup(kind: str, key: str, performance_year: int, compute: Callable[[], T]) -> T:
    """``compute()``'s answer for (kind, key, year) under the current data version."""
    timeout = _timeout()
    if timeout <= 0:
        return compute()
    try:
        cache_key = f"eligibility:{kind}:{data_version()}:{performance_year}:{key}"
        hit = cache.get(cache_key, _MISS)
    except Exception:  # noqa: BLE001 (cache down: compute without it)
        logger.warning("eligibility cache unavailable; computing the answer", exc_info=True)
        return compute()
    if hit is not _MISS:
        return hit
    value = compute()
    try:
        cache.set(cache_key, value, timeout)
    except Exception:  # noqa: BLE001
        logger.warning("eligibility cache: could not store an answer", exc_info=True)
    return value
