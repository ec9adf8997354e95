"""git's fsck rules for tree entry names: nothing a checkout on any filesystem would turn into `.git`.

A name is refused when git's `fsck` refuses it: empty, `.`, `..`, containing `/`, or naming the
repository's own folder on some filesystem — `.git` in any case; with the code points HFS+ ignores
(`.g\\u200cit`); with the trailing dots and spaces or the `:stream` suffix NTFS drops (`.git `,
`.git.`, `.git::$INDEX_ALLOCATION`); as the NTFS short name `git~1`; or as any of those after a
backslash (a folder separator on Windows). A `.gitmodules` (in the same spellings) must not be a
symbolic link. These are git's own rules (`fsck.c`, `path.c`), written here from their description.
"""

from __future__ import annotations

import stat

# Code points HFS+ drops when it compares names (git's `next_hfs_char`).
_HFS_IGNORED = frozenset([0x200C, 0x200D, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF])


def _hfs_folded(name: bytes) -> str | None:
    """The name as HFS+ compares it (ignorable code points dropped, ASCII lower-cased); None if not UTF-8."""
    try:
        text = name.decode("utf-8")
    except UnicodeDecodeError:
        return None
    kept = "".join(ch for ch in text if ord(ch) not in _HFS_IGNORED)
    return "".join(ch.lower() if ch.isascii() else ch for ch in kept)


def _is_hfs_dot(name: bytes, needle: str) -> bool:
    if name.isascii():  # nothing for HFS+ to ignore: a plain case-insensitive comparison
        return name.lower() == b"." + needle.encode("ascii")
    return _hfs_folded(name) == "." + needle


def _only_dots_and_spaces_to_end(rest: bytes) -> bool:
    """NTFS drops trailing dots and spaces, and `:` starts an alternate data stream."""
    for byte in rest:
        if byte == ord(":"):
            return True
        if byte not in b". ":
            return False
    return True


def _is_ntfs_dotgit(name: bytes) -> bool:
    lowered = name.lower()
    if lowered.startswith(b".git"):
        rest = name[4:]
    elif lowered.startswith(b"git~1"):
        rest = name[5:]
    else:
        return False
    for byte in rest:
        if byte in b"\\:":
            return True
        if byte not in b". ":
            return False
    return True


def _is_ntfs_dot_generic(name: bytes, needle: bytes, short_prefix: bytes) -> bool:
    """`.<needle>` as NTFS may spell it: trailing dots/spaces, `:stream`, or an 8.3 short name."""
    lowered = name.lower()
    if lowered.startswith(b"." + needle):
        return _only_dots_and_spaces_to_end(name[len(needle) + 1 :])
    # The regular short name: the first six characters, then ~1 to ~4.
    if lowered[:6] == needle[:6] and lowered[6:7] == b"~" and lowered[7:8] in (b"1", b"2", b"3", b"4"):
        return _only_dots_and_spaces_to_end(name[8:])
    # The fall-back short name: up to six characters of a hashed prefix, then ~ and digits.
    head = name[:8]
    if len(head) < 8:
        return False
    tilde = head.find(b"~")
    if tilde == -1 or tilde > 6 or not (b"1" <= head[tilde + 1 : tilde + 2] <= b"9"):
        return False
    if not head[tilde + 2 :].isdigit() and head[tilde + 2 :]:
        return False
    if head[:tilde].lower() != short_prefix[:tilde]:
        return False
    return _only_dots_and_spaces_to_end(name[8:])


def is_dotgit(name: bytes) -> bool:
    """Whether a checkout could turn this tree entry name into the repository's `.git` folder."""
    if _is_hfs_dot(name, "git") or _is_ntfs_dotgit(name):
        return True
    return b"\\" in name and any(_is_ntfs_dotgit(part) for part in name.split(b"\\")[1:])


def is_dotgitmodules(name: bytes) -> bool:
    """Whether a checkout could turn this name into `.gitmodules` (HFS+ and NTFS spellings included)."""
    candidates = [name, *name.split(b"\\")[1:]]
    return _is_hfs_dot(name, "gitmodules") or any(
        _is_ntfs_dot_generic(part, b"gitmodules", b"gi7eba") for part in candidates
    )


def tree_entry_problem(name: bytes, mode: int) -> str | None:
    """Why git's fsck refuses a tree entry (name and mode), or None when it is fine."""
    if (
        name.isascii()
        and not stat.S_ISLNK(mode)
        and name not in (b"", b".", b"..")
        and not name[:5].lower().startswith((b".git", b"git~1"))
        and not any(byte in name for byte in (b"/", b"\\", b"\x00"))
    ):
        return None  # the common case, decided without the filesystem rules below
    if not name:
        return "an empty name"
    if b"/" in name:
        return "a '/' in its name"
    if b"\x00" in name:
        return "a NUL in its name"
    if name in (b".", b".."):
        return f"the name {name.decode()!r}"
    if is_dotgit(name):
        return f"the name {name!r}, which a checkout turns into the repository's own .git folder"
    if stat.S_ISLNK(mode) and is_dotgitmodules(name):
        return f"{name!r} as a symbolic link (a .gitmodules must be a regular file)"
    return None
