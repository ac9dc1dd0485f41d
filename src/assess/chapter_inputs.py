"""Which of its declared inputs each chapter has, and which it lacks, for one CSP.

The inputs are declared once, in ``notebooks/chapters.yaml`` (:class:`assess.registry.ChapterInput`):
a processed table (with a row matching ``where``), a partner file, or the ward boundaries. This
module answers, from the processed store, the raw folder and the CSP's configuration, whether each
is present: ``assess ingest`` prints it per chapter, the index and the executive summary name the
files a chapter with nothing to show lacks, and the user guide's table of public files is made
from the same declaration (:func:`public_files_table`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from assess.config import DEFAULT_PARTNER_FILES, CSPConfig
from assess.registry import ChapterInput, Registry
from assess.store import Store


@dataclass(frozen=True)
class InputStatus:
    """One declared input of a chapter and whether the CSP has it."""

    key: str
    spec: ChapterInput
    present: bool
    files: tuple[str, ...]  # what supplies it (a partner input: its path under data/raw/)

    def describe(self, markdown: bool = False) -> str:
        """``label (partner file F)`` or ``label (download F; G, from page)``: what to supply, in a
        reader's words (:meth:`assess.registry.ChapterInput.describe` with these files)."""
        return self.spec.describe(self.files, markdown)


def _table_has(store: Store, spec: ChapterInput) -> bool:
    """True when the processed table exists and holds a row matching ``spec.where``."""
    assert spec.table is not None
    if not store.has(spec.table):
        return False
    columns = list(spec.where)
    if not columns:  # any row will do: counted from the files' footers, not read (the street table is millions)
        return store.rows(spec.table) > 0
    if any(c not in store.columns(spec.table) for c in columns):
        return False  # a table without the column (e.g. the force-area variant has no csp_name)
    # through the store, which checks each file against its manifest (a table may be in parts)
    table = pa.Table.from_pandas(store.read(spec.table, columns=columns), preserve_index=False)
    if table.num_rows == 0:
        return False
    mask = None
    for column, wanted in spec.where.items():
        values = table.column(column)
        if wanted == "notnull":
            m = pc.is_valid(values)
        elif wanted == "null":
            m = pc.is_null(values)
        else:
            m = pc.is_in(pc.cast(values, pa.string()), value_set=pa.array([str(v) for v in wanted], pa.string()))
        mask = m if mask is None else pc.and_(mask, m)
    return True if mask is None else bool(pc.any(pc.fill_null(mask, False)).as_py())


def _partner_file(raw_dir: Path, name: str, cfg: CSPConfig | None) -> Path:
    from assess.sources.partner import partner_folder

    files = cfg.partner_files if cfg is not None else DEFAULT_PARTNER_FILES
    return partner_folder(raw_dir, cfg) / files.get(name, f"{name}.csv")


def input_status(key: str, spec: ChapterInput, store: Store, raw_dir: str | Path, cfg: CSPConfig | None) -> InputStatus:
    """Whether input ``key`` is present for ``cfg`` (None: any CSP; partner files of ``data/raw/partner/``)."""
    raw = Path(raw_dir)
    if spec.partner is not None:
        path = _partner_file(raw, spec.partner, cfg)
        return InputStatus(key, spec, path.is_file(), (path.relative_to(raw).as_posix(),))
    if spec.boundaries:
        named = cfg.ward_boundaries if cfg is not None else None
        present = bool(named) and (raw / str(named)).is_file()
        files = (f"data/raw/{named}",) if named else spec.files
        return InputStatus(key, spec, present, files)
    return InputStatus(key, spec, _table_has(store, spec), spec.files)


def chapter_inputs(
    registry: Registry, store: Store, raw_dir: str | Path, cfg: CSPConfig | None = None
) -> dict[str, list[InputStatus]]:
    """Every chapter of ``registry`` (by name) with the status of each input it declares."""
    known: dict[str, InputStatus] = {}
    out: dict[str, list[InputStatus]] = {}
    for chapter in registry:
        rows = []
        for key, spec in registry.inputs_of(chapter.name):
            if key not in known:
                known[key] = input_status(key, spec, store, raw_dir, cfg)
            rows.append(known[key])
        out[chapter.name] = rows
    return out


def lacking(statuses: Sequence[InputStatus]) -> list[InputStatus]:
    return [s for s in statuses if not s.present]


def needs_text(statuses: Sequence[InputStatus], markdown: bool = False) -> str:
    """``it lacks A (download F, from page); B (partner file G)``: the declared inputs of a
    chapter that are absent; "" when none is."""
    missing = lacking(statuses)
    return "it lacks " + "; ".join(s.describe(markdown) for s in missing) if missing else ""


def no_data_sentence(statuses: Sequence[InputStatus], markdown: bool = False) -> str:
    """What a chapter that had nothing to show lacks: each declared input absent, with its files."""
    needs = needs_text(statuses, markdown)
    return f"No data supplied: {needs}." if needs else "No data supplied: its inputs hold nothing for this CSP and year."


def ingest_lines(statuses: Mapping[str, Sequence[InputStatus]], registry: Registry) -> list[tuple[str, str, str]]:
    """``(chapter, has, lacks)`` for the table ``assess ingest`` prints: input labels, comma-separated."""
    rows = []
    for name, items in statuses.items():
        has = ", ".join(s.key for s in items if s.present) or "-"
        lacks = ", ".join(s.key for s in items if not s.present) or "-"
        rows.append((registry.heading(name), has, lacks))
    return rows


def public_files_table(registry: Registry) -> list[tuple[str, str, str]]:
    """``(public input, files, chapters)`` for every public input, in declared order: the table of
    the user guide and data/raw/README.md (Markdown cells; chapters by number)."""
    rows = []
    for key, spec in registry.inputs.items():
        if not spec.public:
            continue
        chapters = ", ".join(str(c.number) for c in registry.chapters_of_input(key))
        files = ", ".join(f"`{f}`" for f in spec.files)
        rows.append((f"{spec.label} ({spec.publisher})", files, chapters))
    return rows


def public_files_markdown(registry: Registry) -> str:
    """:func:`public_files_table` as a Markdown table."""
    lines = ["| Public input | Files, as downloaded | Chapters |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in public_files_table(registry)]
    return "\n".join(lines)


def partner_files_markdown(registry: Registry) -> str:
    """Every partner input, its default file name (in ``data/raw/partner/``) and the chapters it
    fills, as a Markdown table."""
    lines = ["| Partner input | File (default name) | Chapters |", "|---|---|---|"]
    for key, spec in registry.inputs.items():
        if spec.partner is None:
            continue
        chapters = ", ".join(str(c.number) for c in registry.chapters_of_input(key))
        lines.append(f"| {spec.label} | `partner/{DEFAULT_PARTNER_FILES.get(spec.partner, spec.partner)}` | {chapters} |")
    return "\n".join(lines)


#: The markers around the generated block in docs/user-guide.md and data/raw/README.md.
DOCS_BEGIN = "<!-- chapter inputs: generated from notebooks/chapters.yaml by assess.chapter_inputs.docs_block; tests/test_user_guide.py checks it -->"
DOCS_END = "<!-- end of chapter inputs -->"


def docs_block(registry: Registry | None = None) -> str:
    """The block the docs hold between :data:`DOCS_BEGIN` and :data:`DOCS_END`: which public file,
    and which partner file, fills which chapter (chapters by number)."""
    from assess.registry import load_registry

    registry = registry or load_registry(require_notebooks=False)
    return "\n\n".join([DOCS_BEGIN, public_files_markdown(registry), partner_files_markdown(registry), DOCS_END])


def partner_inputs(registry: Registry) -> Iterable[tuple[str, ChapterInput]]:
    return ((k, s) for k, s in registry.inputs.items() if not s.public)
