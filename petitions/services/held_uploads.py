"""Files chosen with a refused registration form, held on the server per user and submission key until the form is
saved, the clerk removes them, or they are a day old."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.text import get_valid_filename

from core.errors import DomainError
from petitions.choices import AttachmentKind
from petitions.services.attachments import attachment_validate
from petitions.services.intake import SUBMISSION_KEY

HELD_DIR = "held-uploads"
HELD_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class HeldFile:
    """One held file as the form lists it; `token` is what its remove box posts."""

    kind: str
    name: str
    size: int

    @property
    def token(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def kind_label(self) -> str:
        return str(AttachmentKind(self.kind).label)


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / HELD_DIR


def _folder(user_id: int, key: str) -> Path | None:
    """The user's folder for one form; None for a missing or malformed key (nothing is held then)."""
    if not SUBMISSION_KEY.match(key or ""):
        return None
    return _root() / str(user_id) / key


def held_list(user_id: int, key: str) -> list[HeldFile]:
    """The files held for this user's form, scans first, then by name."""
    folder = _folder(user_id, key)
    if folder is None or not folder.is_dir():
        return []
    found = [
        HeldFile(kind=path.parent.name, name=path.name, size=path.stat().st_size)
        for path in folder.glob("*/*")
        if path.is_file() and path.parent.name in AttachmentKind.values
    ]
    return sorted(found, key=lambda held: (held.kind != AttachmentKind.LETTER_SCAN, held.name))


def held_remove(user_id: int, key: str, tokens: Iterable[str]) -> None:
    """Drop the files whose remove boxes were ticked."""
    folder = _folder(user_id, key)
    if folder is None:
        return
    for held in held_list(user_id, key):
        if held.token in set(tokens):
            (folder / held.kind / held.name).unlink(missing_ok=True)


def held_keep(user_id: int, key: str, files: Sequence[tuple[str, UploadedFile]]) -> None:
    """Hold the acceptable files of a refused form (type and size as for any attachment; a refused file is not
    held); a new scan replaces a held one."""
    folder = _folder(user_id, key)
    if folder is None:
        return
    for kind, upload in files:
        try:
            attachment_validate(upload)
        except DomainError:
            continue
        place = folder / kind
        if kind == AttachmentKind.LETTER_SCAN and place.is_dir():
            shutil.rmtree(place)
        place.mkdir(parents=True, exist_ok=True)
        name = get_valid_filename(Path(upload.name or "attachment").name)[-200:] or "attachment"
        with open(place / name, "wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        upload.seek(0)


def held_files(user_id: int, key: str) -> list[tuple[str, UploadedFile]]:
    """The held files as uploads, to be registered with the item."""
    folder = _folder(user_id, key)
    if folder is None:
        return []
    return [
        (held.kind, SimpleUploadedFile(held.name, (folder / held.kind / held.name).read_bytes()))
        for held in held_list(user_id, key)
    ]


def held_discard(user_id: int, key: str) -> None:
    """Forget the form's held files (after the item was saved with them)."""
    folder = _folder(user_id, key)
    if folder is not None and folder.is_dir():
        shutil.rmtree(folder)


def held_purge_stale(*, now: float | None = None) -> int:
    """Remove the held folders of forms not touched for a day; returns how many went."""
    root = _root()
    if not root.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - HELD_MAX_AGE.total_seconds()
    removed = 0
    for folder in root.glob("*/*"):
        newest = max([folder.stat().st_mtime, *(path.stat().st_mtime for path in folder.rglob("*"))])
        if newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
