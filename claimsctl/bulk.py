"""Bulk seeding: many users and their project rows from a CSV or JSON file, concurrently, resumable.

Every record is validated before anything is written. A re-run changes only
what differs (missing users, changed projects or emails); a password in the
file applies when the user is created, never to an existing user. Throttling
(TooManyRequestsException) is absorbed by botocore's adaptive retry mode,
which slows the client down as the service pushes back.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import string
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimsctl import users
from claimsctl.errors import UserError

FIELDS = ("username", "email", "projects", "password")


@dataclass(frozen=True)
class Outcome:
    username: str
    action: str  # created | updated | unchanged | failed
    reason: str = ""


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    generated_passwords: dict[str, str] = field(default_factory=dict, repr=False)

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == "failed"]


def generate_password(length: int = 20) -> str:
    """A random password with every character class Cognito's policies can require."""
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?@^_"]
    chosen = [secrets.choice(c) for c in classes]
    chosen += [secrets.choice("".join(classes)) for _ in range(length - len(classes))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
        if not isinstance(data, list) or not all(isinstance(row, dict) for row in data):
            raise UserError(f"{path}: expected a JSON list of objects with {', '.join(FIELDS[:3])}")
        return list(enumerate(data, start=1))
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in FIELDS[:3] if name not in (reader.fieldnames or [])]
    if missing:
        raise UserError(f"{path}: the header row must name {', '.join(FIELDS[:3])} (missing {', '.join(missing)})")
    return [(number, row) for number, row in enumerate(reader, start=2)]


def _spec(row: dict[str, Any]) -> users.UserSpec:
    username = str(row.get("username") or "").strip()
    email = str(row.get("email") or "").strip()
    raw_projects = row.get("projects") or ""
    projects = ",".join(map(str, raw_projects)) if isinstance(raw_projects, list) else str(raw_projects)
    users.validate_username(username)
    users.validate_email(email)
    password = str(row.get("password") or "") or None
    return users.UserSpec(username, email, users.parse_projects(projects), password)


def read(path: Path) -> list[users.UserSpec]:
    """Parse and validate the whole file; UserError lists every bad record by its line (or item) number."""
    try:
        rows = _rows(path)
    except (OSError, ValueError, csv.Error) as exc:
        raise UserError(f"Cannot read {path}: {exc}") from exc
    specs, problems, seen = [], [], set()
    for number, row in rows:
        try:
            spec = _spec(row)
        except UserError as exc:
            problems.append(f"  - record {number}: {exc}")
            continue
        if spec.username.lower() in seen:
            problems.append(f"  - record {number}: user {spec.username} appears twice")
        seen.add(spec.username.lower())
        specs.append(spec)
    if problems:
        raise UserError(f"{path} has {len(problems)} invalid record(s); nothing was written:\n" + "\n".join(problems))
    return specs


def _existing(idp: Any, ddb: Any, target: users.Target) -> dict[str, users.UserRecord]:
    return {record.username: record for record in users.list_all(idp, ddb, target)}


def _action(spec: users.UserSpec, existing: users.UserRecord | None) -> str:
    if existing is None:
        return "created"
    if existing.email == spec.email and tuple(sorted(existing.projects)) == spec.projects:
        return "unchanged"
    return "updated"


def seed(idp: Any, ddb: Any, target: users.Target, specs: list[users.UserSpec], concurrency: int = 8,
         on_done: Callable[[Outcome], None] = lambda outcome: None) -> Report:
    """Create or update every user; existing users equal to their record are left alone."""
    report = Report()
    existing = _existing(idp, ddb, target)
    work = []
    for spec in specs:
        action = _action(spec, existing.get(spec.username))
        if action == "created" and spec.password is None:
            report.generated_passwords[spec.username] = generate_password()
            spec = users.UserSpec(spec.username, spec.email, spec.projects, report.generated_passwords[spec.username])
        elif action != "created":
            spec = users.UserSpec(spec.username, spec.email, spec.projects, None)  # passwords apply to new users only
        work.append((spec, action))

    def apply(item: tuple[users.UserSpec, str]) -> Outcome:
        spec, action = item
        if action != "unchanged":
            try:
                users.add_or_update(idp, ddb, target, spec)
            except UserError as exc:
                return Outcome(spec.username, "failed", str(exc))
        return Outcome(spec.username, action)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for outcome in pool.map(apply, work):
            report.outcomes.append(outcome)
            on_done(outcome)
    for failed in report.failures:
        report.generated_passwords.pop(failed.username, None)
    return report


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    """Add generated passwords to a CSV only its owner can read (earlier runs' entries kept); never printed."""
    known: dict[str, str] = {}
    if path.exists():
        known = {row["username"]: row["password"] for row in csv.DictReader(io.StringIO(path.read_text()))}
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["username", "password"])
        writer.writerows(sorted({**known, **passwords}.items()))
