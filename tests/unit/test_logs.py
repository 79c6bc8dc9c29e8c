"""claimsctl logs holds the newest lines only, however far back --since reaches (memory stays bounded)."""

from __future__ import annotations

from typing import Any

import pytest

from claimsctl import logs


class Pages:
    """A logs client whose paginator yields `count` events, oldest first, 100 a page."""

    def __init__(self, count: int) -> None:
        self.count = count

    def get_paginator(self, name: str) -> Any:
        assert name == "filter_log_events"
        return self

    def paginate(self, **_: Any) -> Any:
        for start in range(0, self.count, 100):
            yield {"events": [{"timestamp": n, "message": f"line {n}\n", "eventId": str(n)}
                              for n in range(start, min(start + 100, self.count))]}


class Aws:
    def __init__(self, count: int) -> None:
        self.logs = Pages(count)

    def client(self, service: str) -> Any:
        return self.logs


def test_only_the_newest_lines_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_LINES", 250)
    lines = logs.read(Aws(1_000), {"trigger": "fn"}, 0)  # type: ignore[arg-type]
    assert [line.timestamp_ms for line in lines] == list(range(750, 1_000))
    assert lines[-1].message == "line 999"
