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

if TYPE_CHECKING:
    from screener.render.record import Record
    from screener.rules import RuleSet

_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def check_target(path: str | Path, *, force: bool = False, answers: str | None = None) -> None:
    """Refuse, before anything is screened, a target that is a link, a folder, the
    answers file, a path in a missing folder or through a linked folder, or (without
    ``force``) an existing file. An ``InputError``: the path is wrong, not the machine."""
    os.close(_checked_folder(path, force=force, answers=answers))


def _checked_folder(path: str | Path, *, force: bool, answers: str | None) -> int:
    """``check_target``'s checks, done on the target's folder reached without following
    any link; returns that folder's descriptor (the caller closes it)."""
    target = Path(path)
    name = shown(str(path), 200)
    if target.name in ("", ".", "..") or str(path).endswith(os.sep):
        raise InputError(f"'{name}': not a file name to save to")
    if "\0" in str(path):
        raise InputError(f"{name}: cannot save there: a NUL byte in the path")
    folder = open_folder(target.parent, name)
    try:
        try:
            info = os.stat(target.name, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise InputError(f"{name}: cannot save there: {exc.strerror or exc}") from None
        if info is not None:
            if stat.S_ISLNK(info.st_mode):
                raise InputError(f"{name}: is a symbolic link; not saving through it")
            if not stat.S_ISREG(info.st_mode):
                raise InputError(f"{name}: not a regular file; not saving over it")
            if answers and (_is_stdin(info) if answers == "-" else _same_file(answers, target)):
                raise InputError(f"{name}: is the answers file (--answers or --since); not saving over it")
            if not force:
                raise InputError(f"{name}: already exists (add --force to replace it)")
    except BaseException:
        os.close(folder)
        raise
    return folder


_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def open_folder(folder: Path, name: str) -> int:
    """A descriptor of ``folder`` reached without following a link: each folder of the
    path is opened with ``O_NOFOLLOW | O_DIRECTORY`` relative to the one before it, so no
    linked folder anywhere in the path (swapped in at any time) is written through."""
    start = os.sep if folder.is_absolute() else os.curdir
    fd = os.open(start, _FOLDER_FLAGS & ~os.O_NOFOLLOW)  # the root or the working folder
    try:
        for part in folder.parts[1:] if folder.is_absolute() else folder.parts:
            try:
                step = os.open(part, _FOLDER_FLAGS, dir_fd=fd)
            except OSError as exc:
                where = shown(str(folder), 200)
                if exc.errno == errno.ENOENT:
                    raise InputError(f"{name}: the folder {where} does not exist") from None
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    linked = stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode)
                    what = "a symbolic link" if linked else "not a folder"
                    raise InputError(f"{name}: {shown(part)!r} in {where} is {what}; "
                                     "not saving through it") from None
                raise InputError(f"{name}: cannot save there: {exc.strerror or exc}") from None
            os.close(fd)
            fd = step
    except BaseException:
        os.close(fd)
        raise
    return fd


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


def save_private(path: str | Path, record: Record, rules: RuleSet, *,
                 force: bool = False, answers: str | None = None) -> None:
    """Write the record (``screened_at``, the client if named, intake, every question
    with its answer, assessment, rule set) as JSON, readable and writable by the owner only.

    ``InputError`` when the path is wrong (see ``check_target``), ``SaveError`` when
    writing fails; either way the old file is untouched and no temporary file is left."""
    from screener.render.record import record_bytes

    write_private(path, record_bytes(record, rules), force=force, answers=answers)


def write_private(path: str | Path, data: bytes, *, force: bool = False,
                  answers: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically, owner-only (see ``save_private``). Every
    step is relative to the folder's descriptor, so a folder linked in meanwhile is
    never written through."""
    folder = _checked_folder(path, force=force, answers=answers)
    try:
        _write_in(folder, Path(path).name, data, force=force, name=shown(str(path), 200))
    finally:
        os.close(folder)


def _write_in(folder: int, target: str, data: bytes, *, force: bool, name: str) -> None:
    temp = f".{target}.{secrets.token_hex(8)}.tmp"
    created = False
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600, dir_fd=folder)
        created = True
        try:
            os.fchmod(fd, 0o600)  # a umask could only narrow it; say it plainly anyway
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        _put_in_place(folder, temp, target, force=force, name=name)
    except BaseException as exc:  # a full disk, a clash, Ctrl-C: the old file stays as it was
        if created or not isinstance(exc, OSError):  # Ctrl-C may land just after the open
            _remove(folder, temp)
        if isinstance(exc, OSError):
            raise SaveError(f"{name}: cannot save: {exc.strerror or exc}") from None
        raise
    try:  # the new name durable too; a folder that cannot be synced is not a failed save
        os.fsync(folder)
    except OSError:
        pass


def _put_in_place(folder: int, temp: str, target: str, *, force: bool, name: str) -> None:
    at = {"src_dir_fd": folder, "dst_dir_fd": folder}
    if force:
        os.replace(temp, target, **at)  # replaces a link that appeared meanwhile, never follows it
        return
    try:  # a hard link fails if the target exists: no window in which to clobber it
        os.link(temp, target, **at, follow_symlinks=False)
    except FileExistsError:
        raise InputError(f"{name}: already exists (add --force to replace it)") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        try:  # a file system without hard links: check, then move
            os.stat(target, dir_fd=folder, follow_symlinks=False)
        except FileNotFoundError:
            os.replace(temp, target, **at)
            return
        raise InputError(f"{name}: already exists (add --force to replace it)") from None
    os.unlink(temp, dir_fd=folder)


def _remove(folder: int, temp: str) -> None:
    try:
        os.unlink(temp, dir_fd=folder)
    except FileNotFoundError:
        pass
