"""Publishing outbox rows to Celery: one ``applications.tasks.deliver_notification`` task per row, after
commit; a publish that fails leaves the row pending for the sweeper (ADR 0050, 0051).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

logger = logging.getLogger("applications.notifications")  # the name it had before the split


def enqueue(notification_ids: Iterable[int]) -> int:
    """Publish a delivery task per row; returns how many were published.

    Runs after commit. A broker outage must neither turn a committed change into an error page nor hang the
    request: the broker's connect and socket timeouts are short (settings), publish errors are caught and the
    rest of the batch is left to the sweeper at once (each further attempt would wait for the same timeout).
    """
    from ..tasks import deliver_notification

    published = 0
    for notification_id in notification_ids:
        try:
            deliver_notification.apply_async(args=[notification_id], retry=False)
        except Exception:
            logger.warning(
                "Could not queue notification %s; it stays pending and the sweeper will queue it",
                notification_id,
                exc_info=True,
            )
            break
        published += 1
    return published
