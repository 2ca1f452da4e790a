"""Queueing a background job from a request (API or page): the one way views hand work to Celery.

A broker that is down or unreachable is the user's problem to wait out, not a bug: ``enqueue``
turns the connection errors of the broker into ``DomainError(UNAVAILABLE)`` — 503
``{"code": "unavailable", ...}`` from the API, a message on a page. How long publishing may take
before giving up is bounded by the settings (``CELERY_TASK_PUBLISH_RETRY_POLICY`` and the broker's
connect timeout), so a request never hangs on a dead broker.
"""

import logging

from celery import Task
from celery.result import AsyncResult
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from jxq_cases.lib.errors import DomainError, ErrorCode

log = logging.getLogger(__name__)


def _broker_errors(task: Task) -> tuple[type[BaseException], ...]:
    """The errors that mean "no broker": kombu's, the transport's own (redis-py's ConnectionError is
    not the built-in one), and the operating system's (refused, unreachable, timed out)."""
    connection = task.app.connection_for_write()
    try:
        transport_errors = tuple(connection.connection_errors) + tuple(connection.channel_errors)
    finally:
        connection.release()
    return (OperationalError, OSError, *transport_errors)


def enqueue(task: Task, *args, **kwargs) -> AsyncResult:
    """Queue ``task(*args, **kwargs)``; raise DomainError(UNAVAILABLE) when the broker cannot take it."""
    errors = _broker_errors(task)
    try:
        return task.apply_async(args=args, kwargs=kwargs, retry=True)
    except errors as error:
        log.warning("could not queue %s: %s", task.name, error)
        raise DomainError(
            ErrorCode.UNAVAILABLE,
            _("The job queue is not available right now; nothing was started. Please try again in a few minutes."),
        ) from error
