"""Reading a JSON file a user wrote, with one clear message for everything that can be wrong with it.

json.loads alone lets some hostile files escape as a RecursionError (nesting
100,000 deep) or a bare ValueError (an integer of 5,000 digits, past Python's
limit on converting digits); bytes that are not UTF-8 fail before parsing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MAX_BYTES = 50 * 1024 * 1024


class JsonFileError(ValueError):
    """The file is not JSON this tool can read; the message says why and where."""


def decode(data: bytes) -> str:
    """UTF-8 text (a leading byte-order mark, as Excel and Notepad write, is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JsonFileError(f"not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}); save it as UTF-8") from None


def loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise JsonFileError("not valid JSON for claimsctl: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer past Python's digit limit
        raise JsonFileError(f"not valid JSON for claimsctl: {exc}") from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text; OSError for a missing or unreadable file, JsonFileError for bad bytes or size."""
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise JsonFileError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
    return decode(data)


def load(path: Path) -> Any:
    return loads(read_text(path))
