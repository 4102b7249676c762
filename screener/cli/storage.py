"""Opt-in saving of answers and results. Health answers are sensitive: nothing is
written unless the user names a file, and then only the owner may read it.

The file is written whole or not at all: a new owner-only file is created beside the
target (never following a link), written and synced, then moved over the target in one
step. A full disk, a size limit or Ctrl-C leaves the old file as it was and no temporary
file behind; several writers at once leave exactly one writer's whole output.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from screener.errors import InputError, SaveError, shown
from screener.render.record import record_bytes

if TYPE_CHECKING:
    from screener.decision.assessment import Assessment
    from screener.answers.intake import Intake

_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def check_target(path: str | Path, *, force: bool = False, answers: str | None = None) -> None:
    """Refuse, before anything is screened, a target that is a link, a folder, the
    answers file, a path in a missing folder, or (without ``force``) an existing file.
    An ``InputError``: the path is wrong, not the machine."""
    target = Path(path)
    name = shown(str(path), 200)
    if target.name in ("", ".", "..") or str(path).endswith(os.sep):
        raise InputError(f"'{name}': not a file name to save to")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(f"{name}: cannot save there: {getattr(exc, 'strerror', None) or exc}"
                         ) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise InputError(f"{name}: is a symbolic link; not saving through it")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{name}: not a regular file; not saving over it")
        if answers and (_is_stdin(info) if answers == "-" else _same_file(answers, target)):
            raise InputError(f"{name}: is the answers file; not saving over it")
        if not force:
            raise InputError(f"{name}: already exists (add --force to replace it)")
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"{name}: the folder {shown(str(folder), 200)} does not exist")


def _is_stdin(target: os.stat_result) -> bool:
    """Whether the answers read from stdin come from this very file (``< a.json``)."""
    try:
        stdin = os.fstat(0)
    except OSError:
        return False
    return (stdin.st_dev, stdin.st_ino) == (target.st_dev, target.st_ino)


def _same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)  # same device and inode: also through links
    except OSError:
        return False


def save_private(path: str | Path, intake: Intake, assessment: Assessment, *,
                 force: bool = False, answers: str | None = None) -> None:
    """Write intake and assessment as JSON, readable and writable by the owner only.

    ``InputError`` when the path is wrong (see ``check_target``), ``SaveError`` when
    writing fails; either way the old file is untouched and no temporary file is left."""
    write_private(path, record_bytes(intake, assessment), force=force, answers=answers)


def write_private(path: str | Path, data: bytes, *, force: bool = False,
                  answers: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically, owner-only (see ``save_private``)."""
    check_target(path, force=force, answers=answers)
    target = Path(path)
    name = shown(str(path), 200)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    created = False
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        created = True
        try:
            os.fchmod(fd, 0o600)  # a umask could only narrow it; say it plainly anyway
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _put_in_place(temp, target, force=force, name=name)
    except BaseException as exc:  # a full disk, a clash, Ctrl-C: the old file stays as it was
        if created or not isinstance(exc, OSError):  # Ctrl-C may land just after the open
            _remove(temp)
        if isinstance(exc, OSError):
            raise SaveError(f"{name}: cannot save: {exc.strerror or exc}") from None
        raise
    _sync_folder(target.parent)


def _put_in_place(temp: Path, target: Path, *, force: bool, name: str) -> None:
    if force:
        os.replace(temp, target)  # replaces a link that appeared meanwhile, never follows it
        return
    try:  # a hard link fails if the target exists: no window in which to clobber it
        os.link(temp, target, follow_symlinks=False)
    except FileExistsError:
        raise InputError(f"{name}: already exists (add --force to replace it)") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):  # a file system without hard links: check, then move
            raise InputError(f"{name}: already exists (add --force to replace it)") from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable too, where the file system allows syncing a folder. The
    file is already in place: a folder that cannot be synced is not a failed save."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove(temp: Path) -> None:
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass
