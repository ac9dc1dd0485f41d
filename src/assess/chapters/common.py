"""What every chapter says the same way: paragraphs, absent data, and the data's caveats."""

from __future__ import annotations

from IPython.display import Markdown, display

from assess.context import AssessmentContext


def say(text: str) -> None:
    """Show a paragraph of Markdown in the chapter (its numbers computed by the caller)."""
    display(Markdown(text))


def missing(ctx: AssessmentContext, what: str, partner_name: str | None = None) -> None:
    """Say plainly that a section's optional data is absent, and how to supply it."""
    where = ""
    if partner_name:
        filename = ctx.cfg.partner_files.get(partner_name, f"{partner_name}.csv")
        where = f" Supply `{ctx.partner_dir.name}/{filename}` (see data/raw/README.md) to include it."
    say(f"*No data on {what} was supplied for {ctx.cfg.name}, so this section is not shown.{where}*")


def data_caveats(ctx: AssessmentContext) -> None:
    """The coverage of the year and, for demonstration data, a plain label."""
    if ctx.data_label:
        say(f"**These figures are {ctx.data_label}, not real statistics.**")
    say(ctx.coverage_sentence)
