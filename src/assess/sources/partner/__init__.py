"""Partner data: the files a partnership shares that no public body publishes.

Each file lives in ``data/raw/partner/`` under the name given by
:data:`assess.config.DEFAULT_PARTNER_FILES` (a CSP's YAML may rename them) and is described,
column by column with an example row and who usually supplies it, in ``data/raw/README.md``.
They are aggregate counts (force flags, calls, youth justice measures, rough sleeping, drug deaths,
safeguarding topics, national benchmarks) or pseudonymised one-row-per-person extracts (resident
survey, known offenders) of the kind partners already exchange under an information-sharing
agreement; or the partnership's own words: its scorecard targets and recommendations (YAML) and
its account of each chapter or topic (Markdown files in ``narrative/``).

Every reader reads the file as text (:func:`assess.sources.csv_files.read_csv_checked`), normalises
the spelling of coded answers (case, surrounding space, curly apostrophes), validates it with a
pandera schema, converts it to typed columns and checks keys that must be unique. Any problem
raises :class:`~assess.errors.InputError` naming the file, the row (line number, header = 1) and
the column, and what to do. No row is dropped; each output keeps ``source_row``.

Output dtypes: text as pandas ``string``, counts as ``int64`` (``Int64`` where a cell may be
blank), measures as ``float64``, yes/no answers as ``boolean`` (``<NA>`` = blank / not asked).

Modules: :mod:`~assess.sources.partner.columns` (the column-spec language),
:mod:`~assess.sources.partner.readers` (one reader per CSV file),
:mod:`~assess.sources.partner.scorecard` (the scorecard targets, YAML),
:mod:`~assess.sources.partner.recommendations` (the recommendations, YAML),
:mod:`~assess.sources.partner.narrative` (the partners' accounts, Markdown),
:mod:`~assess.sources.partner.yaml_files` (UTF-8 text, YAML items and their lines) and
:mod:`~assess.sources.partner.files` (where each file lives, and reading it once per process).
The codes each file may hold, with their labels, are in :mod:`assess.vocabulary`.
"""

from assess.sources.partner.columns import (
    PARTNER_DIR,
    README_HINT,
    PartnerColumn,
    partner_schema,
)
from assess.sources.partner.files import (
    PARTNER_READERS,
    partner_folder,
    partner_path,
    read_partner,
    read_partner_file,
)
from assess.sources.partner.narrative import (
    NARRATIVE_DIR,
    Narrative,
    check_narrative_folders,
    find_narrative,
    narrative_folder,
    narrative_keys,
    read_narrative,
    read_narratives,
)
from assess.sources.partner.readers import (
    PARTNER_COLUMNS,
    read_benchmarks,
    read_calls_for_service,
    read_drug_deaths,
    read_force_flags,
    read_offenders,
    read_resident_survey,
    read_rough_sleeping,
    read_safeguarding_topics,
    read_youth_justice,
)
from assess.sources.partner.recommendations import (
    RECOMMENDATIONS_COLUMNS,
    Recommendation,
    load_recommendations,
    metric_ids,
    priority_index,
    read_recommendations,
)
from assess.sources.partner.scorecard import (
    SCORECARD_COLUMNS,
    ScorecardMeasure,
    ScorecardTarget,
    load_scorecard,
    read_scorecard,
)

__all__ = [
    "NARRATIVE_DIR", "PARTNER_COLUMNS", "PARTNER_DIR", "PARTNER_READERS", "README_HINT", "RECOMMENDATIONS_COLUMNS",
    "SCORECARD_COLUMNS", "Narrative", "PartnerColumn", "Recommendation", "ScorecardMeasure", "ScorecardTarget",
    "check_narrative_folders", "find_narrative", "load_recommendations", "load_scorecard", "metric_ids", "narrative_folder", "narrative_keys",
    "partner_folder", "partner_path", "partner_schema", "priority_index", "read_benchmarks", "read_calls_for_service",
    "read_drug_deaths", "read_force_flags", "read_narrative", "read_narratives", "read_offenders", "read_partner",
    "read_partner_file", "read_recommendations", "read_resident_survey", "read_rough_sleeping",
    "read_safeguarding_topics", "read_scorecard", "read_youth_justice",
]
