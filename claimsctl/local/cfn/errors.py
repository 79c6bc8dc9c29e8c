"""Failures of one stack resource, reported in its *_FAILED event."""

from __future__ import annotations


class ResourceFailure(Exception):
    """A resource could not be created, updated or deleted; the message is the event's reason."""
