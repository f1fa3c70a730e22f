"""Raw git commit objects read as checkpoints (pure).

A checkpoint is a commit that the frontend built with isomorphic-git. Its
message names the executed cell and ends with git trailers (the format ``git
interpret-trailers`` reads) that tie the checkpoint to the execution::

    Run cell 3 of train.ipynb

    Run-Id: 5f0c...
    Cell-Id: 8a1e...
    Execution-Count: 3
    Status: ok
    Duration: 0.412

``Duration`` is in seconds; a ``s`` or ``ms`` suffix is understood. A trailer
that is missing or cannot be read leaves its field None: the checkpoint itself
is still recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_OID = re.compile(rb"[0-9a-f]{40}")
# An identity line's tail: "<email> <seconds> <+hhmm>".
_IDENT_TIME = re.compile(rb"<[^<>\n]*> (\d+) ([+-]\d{4})\Z")
# git interpret-trailers' tokens: letters, digits and dashes, then ':' and the value.
_TRAILER = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)")
_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(ms|s)?", re.IGNORECASE)

TRAILER_FIELDS = {
    "run-id": "run_id",
    "cell-id": "cell_id",
    "execution-count": "execution_count",
    "status": "status",
    "duration": "duration",
    "notebook-path": "notebook_path",
}


class CommitFormatError(ValueError):
    """The bytes are not a well-formed commit object."""


@dataclass(frozen=True)
class Commit:
    tree: str
    parents: tuple[str, ...]
    author_time: int
    message: str


def parse_commit(content: bytes) -> Commit:
    """A commit from its object content (what follows ``commit <size>\\0``).

    Headers come first, one per line (a line starting with a space continues the
    previous one, as in a ``gpgsig`` signature), then a blank line and the
    message. The ``tree`` header leads, ``parent`` headers follow it, and
    ``author`` and ``committer`` are required, as ``git fsck`` wants.
    """
    head, separator, body = content.partition(b"\n\n")
    if not separator:
        raise CommitFormatError("commit: no blank line between the headers and the message")
    lines = head.split(b"\n") if head else []
    if not lines or not lines[0].startswith(b"tree "):
        raise CommitFormatError("commit: the first header must be 'tree'")
    tree = _oid(lines[0][5:], "tree")
    parents = []
    author_time = None
    committer = False
    for line in lines[1:]:
        if line.startswith(b"parent "):
            if author_time is not None:
                raise CommitFormatError("commit: 'parent' after 'author'")
            parents.append(_oid(line[7:], "parent"))
        elif line.startswith(b"author "):
            author_time = _ident_time(line[7:], "author")
        elif line.startswith(b"committer "):
            _ident_time(line[10:], "committer")
            committer = True
    if author_time is None or not committer:
        raise CommitFormatError("commit: 'author' and 'committer' are required")
    return Commit(tree, tuple(parents), author_time, body.decode("utf-8", "replace"))


def parse_trailers(message: str) -> dict[str, str]:
    """The trailers of a commit message: ``{lowercased key: value}``.

    Trailers are the last paragraph of the message when every line of it is a
    ``Key: value`` line or the indented continuation of one; the first paragraph
    is the subject and never holds trailers. A key given twice keeps its last
    value.
    """
    paragraphs = [p for p in re.split(r"\n(?:[ \t]*\n)+", message.strip("\n")) if p.strip()]
    if len(paragraphs) < 2:
        return {}
    trailers: dict[str, str] = {}
    key = None
    for line in paragraphs[-1].split("\n"):
        if line[:1] in (" ", "\t") and key is not None:
            trailers[key] += " " + line.strip()
            continue
        match = _TRAILER.fullmatch(line.rstrip())
        if match is None:
            return {}
        key = match.group(1).lower()
        trailers[key] = match.group(2).strip()
    return trailers


def checkpoint_row(notebook_id: str, oid: str, commit: Commit) -> dict:
    """The checkpoint index row (see ``Store.add_checkpoints``) of a commit on a notebook's ref."""
    trailers = parse_trailers(commit.message)
    fields = {field: trailers.get(key) or None for key, field in TRAILER_FIELDS.items()}
    return {
        "notebook_id": notebook_id,
        "commit": oid,
        "parent": commit.parents[0] if commit.parents else None,
        "time": commit.author_time,
        "cell_id": fields["cell_id"],
        "run_id": fields["run_id"],
        "execution_count": _int(fields["execution_count"]),
        "status": fields["status"],
        "duration": _seconds(fields["duration"]),
        "notebook_path": fields["notebook_path"],
        "message": commit.message.strip().partition("\n")[0],
    }


def _oid(value: bytes, header: str) -> str:
    if not _OID.fullmatch(value):
        raise CommitFormatError(f"commit: {header} {value[:60]!r} is not a 40-digit lowercase hex object id")
    return value.decode("ascii")


def _ident_time(value: bytes, header: str) -> int:
    match = _IDENT_TIME.search(value)
    if match is None or not value[: match.start()].strip():
        raise CommitFormatError(f"commit: {header} {value[:80]!r} is not 'Name <email> seconds +zone'")
    return int(match.group(1))


def _int(text: Optional[str]) -> Optional[int]:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def _seconds(text: Optional[str]) -> Optional[float]:
    match = _DURATION.fullmatch(text.strip()) if text else None
    if match is None:
        return None
    value = float(match.group(1))
    return value / 1000 if (match.group(2) or "").lower() == "ms" else value
