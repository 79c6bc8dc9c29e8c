"""`claimsctl upgrade-source`: bring a project's copied templates/ and lambda_src/ forward to the installed
claimsctl, replacing only what its user has not changed (docs/decisions.md, "Upgrading a copied project").

A file is unchanged by its user when it matches the hash the copy record holds for it, or any version
claimsctl has shipped at that path (claimsctl/shipped_history.py: projects copied before the record, or
whose record lacks the file). claims.py is always kept; so is every changed file, a file removed since the
copy, and anything reached through a link. Nothing is ever deleted: a file claimsctl no longer ships and its
user never changed (a handler an older release had, which may import what no release ships now) is moved to
.claimsctl-retired/ beside stackInputs.json, out of what deploy packages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from claimsctl import folders, resources, sourcerecord
from claimsctl.errors import ClaimsctlError
from claimsctl.shipped_history import SHIPPED

SEAM = "lambda_src/claims.py"
RETIRED = ".claimsctl-retired"  # where unchanged files claimsctl no longer ships are moved, never deleted


class Action(StrEnum):
    ADD = "add"
    REPLACE = "replace"
    RETIRE = "retire"
    KEEP = "keep"


@dataclass(frozen=True)
class Step:
    action: Action
    path: str  # in the project: lambda_src/authorizer.py
    why: str


@dataclass
class Plan:
    root: Path
    from_version: str  # "" when the project had no record
    owned: tuple[str, ...]  # which of templates/ and lambda_src/ the project has
    steps: list[Step] = field(default_factory=list)
    current: int = 0  # files already as shipped
    record: dict[str, str] = field(default_factory=dict)  # the record once the plan is applied

    def changes(self) -> list[Step]:
        return [step for step in self.steps if step.action != Action.KEEP]


def plan(root: Path) -> Plan:
    """What upgrading the project at `root` would do; RecordError when its record cannot be trusted."""
    record = sourcerecord.read(root)
    owned = tuple(name for name in resources.BUNDLED if (root / name).is_dir() and not _is_shipped(root / name))
    made = Plan(root, record.version, owned)
    shipped = sourcerecord.shipped()
    on_disk = {f"{name}/{path.relative_to(root / name).as_posix()}" for name in owned
               if (root / name).is_dir() and not (root / name).is_symlink()
               for path in _files(root / name) if path.name != resources.SOURCE_RECORD}
    for relative in sorted(set(shipped) | set(record.files) | on_disk):
        if relative.split("/", 1)[0] not in owned:
            continue
        step, entry = _decide(root, relative, shipped.get(relative), record.files.get(relative))
        if step is None and entry is not None:
            made.current += 1
        if step is not None:
            made.steps.append(step)
        if entry is not None:
            made.record[relative] = entry
    return made


def _is_shipped(folder: Path) -> bool:
    """Whether `folder` is the very one claimsctl ships (a checkout's own), which is current by definition."""
    shipped = resources.bundled(folder.name)
    return shipped is not None and shipped.resolve() == folder.resolve()


def _files(folder: Path) -> list[Path]:
    """Every regular file under `folder` but build litter, never through a link (_decide names the links
    that stand where claimsctl ships or recorded a file)."""
    import os

    found = []
    for current, dirs, names in os.walk(folder):  # never descends through a linked folder
        dirs[:] = [name for name in dirs if name != "__pycache__"]
        found += [Path(current) / name for name in names
                  if not name.endswith(".pyc") and (Path(current) / name).is_file()
                  and not (Path(current) / name).is_symlink()]
    return found


def _decide(root: Path, relative: str, source: Path | None, recorded: str | None) -> tuple[Step | None, str | None]:
    """(the step for one file, or None when there is nothing to do; its entry in the new record, or None)."""
    new = sourcerecord.sha256(source) if source is not None else None
    kind, where = folders.reached(root, relative)
    if kind == "link":
        shown = where.relative_to(root).as_posix() if where is not None else relative
        what = "a link" if shown == relative else f"reached through the link {shown}"
        return Step(Action.KEEP, relative, f"{what}; claimsctl never writes through a link"), recorded
    if kind == "other":
        return Step(Action.KEEP, relative, "not a regular file"), recorded
    if kind == "missing":
        if new is None:
            return None, None  # gone, and no longer shipped: forgotten
        if recorded is not None and relative != SEAM:  # the handlers import claims.py: it is always there
            return Step(Action.KEEP, relative, "removed since the copy: not added back"), recorded
        return Step(Action.ADD, relative, "shipped, and missing from the project"), new
    return _decide_file(relative, sourcerecord.sha256(root / relative), source, new, recorded)


def _decide_file(relative: str, have: str, source: Path | None, new: str | None,
                 recorded: str | None) -> tuple[Step | None, str | None]:
    """_decide for a regular file whose hash is `have` (`new`: the shipped one's, None when none is)."""
    unchanged = have == recorded or have in SHIPPED.get(relative, frozenset())
    if new is None:  # no longer shipped: the project's own file, or one claimsctl used to ship
        if unchanged:
            return Step(Action.RETIRE, relative, f"claimsctl no longer ships it and you never changed it: moved to "
                                                 f"{RETIRED}/{relative}"), None
        if recorded is None:
            return None, None
        return Step(Action.KEEP, relative, "claimsctl no longer ships it; you changed it: remove it once nothing "
                                           "imports it"), None
    if have == new:
        return None, new
    if relative == SEAM:
        return Step(Action.KEEP, relative, f"yours to change, never replaced; the shipped one is {source}"), recorded
    if unchanged:
        return Step(Action.REPLACE, relative, "unchanged since the copy"), new
    return Step(Action.KEEP, relative, f"changed since the copy; bring in the shipped {source} by hand"), recorded


def apply(made: Plan, version: str) -> bool:
    """Carry out the plan's additions and replacements, then write the record; whether the record was written."""
    shipped = sourcerecord.shipped()
    done: list[str] = []
    try:
        for step in made.changes():
            if step.action == Action.RETIRE:
                _retire(made.root, step.path)
            elif step.action == Action.ADD:
                folders.write_new(made.root, step.path, shipped[step.path].read_bytes())
            else:
                folders.replace_file(made.root / step.path, shipped[step.path].read_bytes())
            done.append(step.path)
        return sourcerecord.write(made.root, version, made.record)
    except OSError as exc:  # each file is whole, old or new; running again finishes the job
        raise ClaimsctlError(f"Cannot write {exc.filename or made.root}: {exc.strerror or exc}. Done before it: "
                             f"{', '.join(done) or 'nothing'}; run upgrade-source again once it is writable.") from exc


def _retire(root: Path, relative: str) -> None:
    """Move `relative` to RETIRED/`relative` (a copy made first, never over anything, then the file removed)."""
    source = root / relative
    data = source.read_bytes()
    moved = f"{RETIRED}/{relative}"
    if not folders.write_new(root, moved, data) and (root / moved).read_bytes() != data:
        raise ClaimsctlError(f"Cannot retire {relative}: {root / moved} is there already with other content; move "
                             "one of them, then run upgrade-source again.")
    source.unlink()
