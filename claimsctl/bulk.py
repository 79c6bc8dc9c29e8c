"""Bulk seeding: many users and their project rows from a CSV or JSON file, concurrently, resumable.

A record may carry attributes of the user's row: CSV columns named `attr.NAME` (a cell is JSON when it parses
as JSON, else text; an empty cell leaves the attribute as it is, `null` removes it), or a JSON record's
`attributes` object (`null` removes). Attributes a record does not name are kept.

Every record is validated before anything is written. A re-run changes only
what differs (missing users, changed projects or emails); a password in the
file applies when the user is created, never to an existing user. Throttling
(TooManyRequestsException) is absorbed by botocore's adaptive retry mode,
which slows the client down as the service pushes back; an AWS error that
outlasts the retries is that record's failure in the summary.

Generated passwords go to a PasswordsFile that is opened before any user is
created, and each one is written and flushed before its user is created: after
Ctrl-C, a throttle or a crash, every user that exists has its password there.
"""

from __future__ import annotations

import csv
import io
import secrets
import string
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from claimsctl import row_attributes, safejson, users
from claimsctl.aws import AwsCallError
from claimsctl.errors import AwsError, UserError

FIELDS = ("username", "email", "projects", "password")
ATTRIBUTE_COLUMN = "attr."  # a CSV column `attr.department` sets the row's `department`


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    username: str
    action: Action
    reason: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    generated_passwords: dict[str, str] = field(default_factory=dict, repr=False)

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action is Action.FAILED]


FORMULA_STARTS = ("=", "+", "-", "@")  # a spreadsheet evaluates a cell that starts with one of these
PASSWORD_SYMBOLS = "!#%+-=?@^_"  # noqa: S105 - the symbols a generated password draws from
PASSWORDS_HEADER = ["username", "password"]


def generate_password(length: int = 20) -> str:
    """A random password with every character class Cognito's policies can require, starting with a letter."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, PASSWORD_SYMBOLS]
    chosen = [secrets.choice(c) for c in classes]
    chosen += [secrets.choice("".join(classes)) for _ in range(length - len(classes) - 1)]
    secrets.SystemRandom().shuffle(chosen)
    return secrets.choice(string.ascii_letters) + "".join(chosen)


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = safejson.read_text(path)
    if path.suffix.lower() == ".json":
        data = safejson.loads(text)
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise UserError(f"{path}: expected a JSON list of objects with {', '.join(FIELDS[:3])}")
        return list(enumerate(data, start=1))
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in FIELDS[:3] if name not in (reader.fieldnames or [])]
    if missing:
        raise UserError(f"{path}: the header row must name {', '.join(FIELDS[:3])} (missing {', '.join(missing)})")
    return [(number, _CsvRecord(row)) for number, row in enumerate(reader, start=2)]


def _text(row: dict[str, Any], name: str) -> str:
    """A field that must be text: a CSV cell, or a JSON string (null or absent reads as empty)."""
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserError(f"{name} must be a string (got {type(value).__name__} {str(value)[:40]})")
    return value


def _projects(row: dict[str, Any], roles: tuple[str, ...]) -> tuple[str, ...]:
    value = row.get("projects")
    if isinstance(value, list):
        return users.checked_projects(value, roles)  # JSON: each element one grant ("p1" or "p1:editor")
    return users.parse_projects(_text(row, "projects"), roles)


class _CsvRecord(dict[str, Any]):
    """A CSV row: its cells are text, and its attributes come from attr.NAME columns."""


def _named_attributes(row: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, value) of a CSV record's non-empty attr.NAME cells, or of a JSON record's `attributes` object;
    names checked first, then a cell's text read as JSON or text."""
    if isinstance(row, _CsvRecord):
        cells = [(column.removeprefix(ATTRIBUTE_COLUMN), cell) for column, cell in row.items()
                 if isinstance(column, str) and column.startswith(ATTRIBUTE_COLUMN) and cell not in (None, "")]
        for name, _ in cells:
            row_attributes.check_name(name)
        return [(name, row_attributes.parse_value(name, str(cell))) for name, cell in cells]
    given = row.get("attributes")
    if given is not None and not isinstance(given, dict):
        raise ValueError("attributes must be a JSON object of NAME: value")
    return list((given or {}).items())


def _attributes(row: dict[str, Any]) -> dict[str, row_attributes.Typed | None]:
    """The record's attributes, checked and typed (None: remove)."""
    changes: dict[str, row_attributes.Typed | None] = {}
    try:
        for name, value in _named_attributes(row):
            row_attributes.check_name(name)
            changes[name] = row_attributes.typed(name, value)
        row_attributes.check_size(changes)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return changes


def _spec(row: dict[str, Any], roles: tuple[str, ...]) -> users.UserSpec:
    username = _text(row, "username").strip()
    email = _text(row, "email").strip()
    users.validate_username(username)
    users.validate_email(email)
    return users.UserSpec(username, email, _projects(row, roles), _text(row, "password") or None, _attributes(row))


def read(path: Path, roles: tuple[str, ...] = users.SHIPPED_ROLES) -> list[users.UserSpec]:
    """Parse and validate the whole file; UserError lists every bad record by its line (or item) number."""
    try:
        rows = _rows(path)
    except (OSError, ValueError, csv.Error) as exc:
        raise UserError(f"Cannot read {path}: {exc}") from exc
    specs, problems, seen = [], [], set()
    for number, row in rows:
        try:
            spec = _spec(row, roles)
        except UserError as exc:
            problems.append(f"  - record {number}: {exc}")
            continue
        if spec.username.casefold() in seen:
            problems.append(f"  - record {number}: user {spec.username} appears twice")
        seen.add(spec.username.casefold())
        specs.append(spec)
    if problems:
        raise UserError(f"{path} has {len(problems)} invalid record(s); nothing was written:\n" + "\n".join(problems))
    return specs


class PasswordsFile:
    """The CSV (mode 600) that receives generated passwords, one flushed row per user, before that user exists.

    Opened before anything is created: a new file is created exclusively; an existing file is
    appended to only if it is a claimsctl passwords file (its header row is username,password).
    Anything else, and the input file itself, is refused.
    """

    def __init__(self, path: Path, source: Path) -> None:
        self.path = path
        self.written = 0
        self._lock = threading.Lock()
        if path.exists() and source.exists() and path.resolve() == source.resolve():
            raise UserError(f"--passwords-out {path} is the input file; name another file.")
        if not path.parent.is_dir():
            raise UserError(f"--passwords-out {path}: folder {path.parent} does not exist; create it or name another.")
        self.created = not path.exists()
        self._handle = self._create() if self.created else self._append()
        self._writer = csv.writer(self._handle)
        if self.created:
            self._row(PASSWORDS_HEADER)

    def _create(self) -> Any:
        import os

        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as exc:
            raise UserError(f"Cannot create --passwords-out {self.path}: {exc.strerror}") from exc
        return os.fdopen(fd, "w", encoding="utf-8", newline="")

    def _append(self) -> Any:
        try:
            with self.path.open(encoding="utf-8", newline="") as existing:
                header = next(csv.reader(existing), None)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UserError(f"Cannot read --passwords-out {self.path}: {exc}") from exc
        if header != PASSWORDS_HEADER:
            raise UserError(f"--passwords-out {self.path} exists and is not a claimsctl passwords file "
                            "(header username,password); name a new file.")
        self.path.chmod(0o600)
        return self.path.open("a", encoding="utf-8", newline="")

    def _row(self, cells: list[str]) -> None:
        if any(cell.startswith(FORMULA_STARTS) for cell in cells):
            raise UserError(f"Refusing to write a cell starting with one of {' '.join(FORMULA_STARTS)}.")
        self._writer.writerow(cells)
        self._handle.flush()

    def add(self, username: str, password: str) -> None:
        with self._lock:
            self._row([username, password])
            self.written += 1

    def close(self) -> None:
        self._handle.close()
        if self.created and self.written == 0:
            self.path.unlink(missing_ok=True)


def _existing(idp: Any, ddb: Any, target: users.Target) -> dict[str, users.UserRecord]:
    """Existing users by the key a record's name finds them under (case-folded in a case-insensitive pool)."""
    fold = not _pool_case_sensitive(idp, target)
    return {(r.username.casefold() if fold else r.username): r for r in users.list_all(idp, ddb, target)}


def _pool_case_sensitive(idp: Any, target: users.Target) -> bool:
    pool = idp.describe_user_pool(UserPoolId=target.user_pool_id)["UserPool"]
    return bool((pool.get("UsernameConfiguration") or {}).get("CaseSensitive", True))


def _action(spec: users.UserSpec, existing: users.UserRecord | None) -> Action:
    if existing is None:
        return Action.CREATED
    if (existing.email == spec.email and tuple(sorted(existing.projects)) == spec.projects
            and row_attributes.already_held(existing.attributes, spec.attributes)):
        return Action.UNCHANGED
    return Action.UPDATED


def _failure_reason(exc: Exception) -> str:
    if isinstance(exc, AwsCallError):
        return f"{exc.code}: {exc.message}"
    return str(exc) or type(exc).__name__


def seed(idp: Any, ddb: Any, target: users.Target, specs: list[users.UserSpec], concurrency: int = 8,
         on_done: Callable[[Outcome], None] = lambda outcome: None,
         passwords: PasswordsFile | None = None) -> Report:
    """Create or update every user; existing users equal to their record are left alone.

    A record without a password gets a generated one, written to `passwords` before the user is
    created. On Ctrl-C the records not yet started are cancelled and the interrupt is raised again.
    """
    report = Report()
    existing = _existing(idp, ddb, target)
    fold = bool(existing) and not _pool_case_sensitive(idp, target)

    def apply(spec: users.UserSpec) -> Outcome:
        action = _action(spec, existing.get(spec.username.casefold() if fold else spec.username))
        if action is Action.UNCHANGED:
            return Outcome(spec.username, action)
        try:
            if action is Action.CREATED and spec.password is None:
                if passwords is None:
                    raise UserError("no password and no --passwords-out file to write a generated one to")
                spec = users.UserSpec(spec.username, spec.email, spec.projects, generate_password(), spec.attributes)
                passwords.add(spec.username, spec.password or "")
                report.generated_passwords[spec.username] = spec.password or ""
            users.add_or_update(idp, ddb, target, spec, password_on_create_only=True)
        except AwsError as exc:  # UserError and AWS's refusals alike
            return Outcome(spec.username, Action.FAILED, _failure_reason(exc))
        return Outcome(spec.username, action)

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    try:
        for outcome in pool.map(apply, specs):
            report.outcomes.append(outcome)
            on_done(outcome)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    for failed in report.failures:
        report.generated_passwords.pop(failed.username, None)
    return report


def missing_passwords(specs: list[users.UserSpec]) -> bool:
    """Some record has no password, so a passwords file must receive the generated ones."""
    return any(spec.password is None for spec in specs)


def seed_file(idp: Any, ddb: Any, target: users.Target, specs: list[users.UserSpec], source: Path,
              passwords_out: Path | None, concurrency: int = 8,
              on_done: Callable[[Outcome], None] = lambda outcome: None,
              on_saved: Callable[[int, Path], None] = lambda written, path: None) -> Report:
    """`seed` the records read from `source`, with the passwords file's whole life: opened (or refused)
    before any user is created, each generated password written before its user exists, and closed
    (removed if it received nothing) whatever happens. `on_saved(count, path)` is told, even on Ctrl-C,
    how many generated passwords the file holds."""
    passwords = PasswordsFile(passwords_out, source) if passwords_out is not None else None
    try:
        return seed(idp, ddb, target, specs, concurrency, on_done, passwords)
    finally:
        if passwords is not None:
            passwords.close()
            if passwords.written:
                on_saved(passwords.written, passwords.path)
