"""The statistics of the assessment: intervals, change, comparison, concentration, trend, disclosure.

One module per job; this package re-exports the public API so chapters write
``from assess.stats import rate_per_1000, change_in_counts``:

- :mod:`assess.stats.intervals`: Poisson limits (PHE: exact below 10, Byar's from 10), crude
  rates, Wilson limits for proportions.
- :mod:`assess.stats.change`: two periods compared (conditional binomial test for counts,
  two-proportion z-test with Newcombe's interval).
- :mod:`assess.stats.compare`: against a benchmark (PHE style), within a group, funnel limits
  (Spiegelhalter 2005).
- :mod:`assess.stats.concentration`: top share, Gini, repeat offending.
- :mod:`assess.stats.series`: rolling 12-month totals, log-linear Poisson trend test.
- :mod:`assess.stats.disclosure`: primary and secondary cell suppression (``[c]``).

scipy.stats is imported inside the functions that call it (about 1 s): the report process,
which only reads and checks metrics, never pays for it.

Impossible input (negative counts, zero or missing populations, NaN, too few periods ...)
raises :class:`assess.errors.StatisticsError`.
"""

from assess.stats.change import (
    Change,
    change_in_counts,
    change_in_proportions,
    change_in_rates,
    newcombe_difference_interval,
    poisson_counts_p_value,
)
from assess.stats.compare import (
    Comparison,
    GroupComparison,
    compare_with_benchmark,
    compare_with_group,
    funnel_limits,
    funnel_position,
)
from assess.stats.concentration import (
    RepeatOffending,
    gini,
    places_in_top,
    repeat_offending,
    top_share,
)
from assess.stats.disclosure import MARKER, suppress, suppressed_mask
from assess.stats.intervals import (
    Proportion,
    Rate,
    byar_interval,
    exact_poisson_interval,
    poisson_interval,
    proportion,
    rate_per,
    rate_per_1000,
    rate_per_100000,
    wilson_interval,
)
from assess.stats.series import Trend, rolling_12_month, trend_test

__all__ = [
    "MARKER",
    "Change",
    "Comparison",
    "GroupComparison",
    "Proportion",
    "Rate",
    "RepeatOffending",
    "Trend",
    "byar_interval",
    "change_in_counts",
    "change_in_proportions",
    "change_in_rates",
    "compare_with_benchmark",
    "compare_with_group",
    "exact_poisson_interval",
    "funnel_limits",
    "funnel_position",
    "gini",
    "newcombe_difference_interval",
    "places_in_top",
    "poisson_counts_p_value",
    "poisson_interval",
    "proportion",
    "rate_per",
    "rate_per_1000",
    "rate_per_100000",
    "repeat_offending",
    "rolling_12_month",
    "suppress",
    "suppressed_mask",
    "top_share",
    "trend_test",
    "wilson_interval",
]
