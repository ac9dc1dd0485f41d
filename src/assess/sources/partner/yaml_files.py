"""Reading the partners' text files (YAML lists, Markdown): UTF-8 text, items and their lines.

Shared by the scorecard targets, the recommendations and the narrative files, so that each names
the line of a problem the same way. Every problem is an :class:`~assess.errors.InputError`
naming the file and the line (1-based).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assess.errors import InputError
from assess.file_checks import MAX_YAML_BYTES, check_text_file

#: What to do about a file that is not UTF-8 text.
UTF8_TEXT_HINT = "save the file as UTF-8 text (in Word or Notepad: Save As, Encoding 'UTF-8')"


def read_utf8(path: Path, hint: str) -> str:
    """The text of ``path`` (UTF-8, a leading byte-order mark removed, line ends as ``\\n``).

    InputError when the file does not exist (``hint`` says what to do) or is not UTF-8 (naming
    the line of the first byte that cannot be decoded).
    """
    if not path.exists():
        raise InputError(path, "the file does not exist", hint=hint)
    if path.is_dir():
        raise InputError(path, "this is a folder, not a file", hint=hint)
    # not binary (NUL bytes, a zip, UTF-16...) and at most 4 MiB: checked before it is read
    check_text_file(path, what="text", max_bytes=MAX_YAML_BYTES)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be decoded)",
            row=raw[: exc.start].count(b"\n") + 1, hint=UTF8_TEXT_HINT,
        ) from None
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def yaml_error(path: Path, exc: yaml.YAMLError, *, line_offset: int = 0, hint: str) -> InputError:
    """An InputError for YAML that does not parse, at the line of the problem (plus ``line_offset``)."""
    mark = getattr(exc, "problem_mark", None)
    return InputError(path, f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
                      row=mark.line + 1 + line_offset if mark else None, hint=hint)


def yaml_list(path: Path, text: str, key: str, hint: str) -> tuple[list[Any], list[yaml.Node]]:
    """The list of items of a YAML file (at the top level, or under ``key:``) and each item's node.

    InputError when the text is not YAML, or holds no list: ``hint`` says how to write an item.
    """
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise yaml_error(path, exc, hint="fix the indentation or quoting at that line") from None
    if isinstance(data, dict) and key in data:
        data = data[key]
        assert isinstance(root, yaml.MappingNode)
        root = next(v for k, v in root.value if k.value == key)
    if not isinstance(data, list) or not data:
        raise InputError(path, f"expected a list of {key} (or '{key}:' followed by a list)", row=1, hint=hint)
    nodes = list(root.value) if isinstance(root, yaml.SequenceNode) else []
    return data, nodes


def node_line(node: yaml.Node | None) -> int | None:
    """The 1-based line where ``node`` starts."""
    return node.start_mark.line + 1 if node is not None else None


def field_line(node: yaml.Node | None, field: str) -> int | None:
    """The line of ``field:`` in the mapping ``node`` (else the node's own line)."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        for k, _v in node.value:
            if getattr(k, "value", None) == field:
                return k.start_mark.line + 1
    return node.start_mark.line + 1


def first_error(exc: ValidationError) -> tuple[str | None, str, str]:
    """The first problem pydantic found: the top-level field (or None), the dotted place, the message."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else None
    where = ".".join(str(p) for p in err["loc"]) or "item"
    return field, where, str(err["msg"])
