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

Counts that vary more than Poisson (overdispersion; statsmodels' GLM, imported on first use):

- :mod:`assess.stats.dispersion`: the Pearson dispersion of a monthly series with calendar-month
  and year effects (quasi-Poisson; Wedderburn 1974, McCullagh & Nelder 1989).
- :mod:`assess.stats.monthly_change`: two periods compared from the monthly series behind them
  (quasi-Poisson GLM with calendar-month effects, Wald t test, dispersion floored at 1; the exact
  conditional test when the series cannot carry the model). Returns :class:`CountChange`, a
  :class:`Change` with ``method_id``, ``dispersion``, rate ratio and ``fallback_reason``.
- :mod:`assess.stats.quasi_trend`: quasi-Poisson log-linear trends, monthly (with seasonality) or
  yearly (optionally with the monthly dispersion). Returns :class:`DispersedTrend`.
- :mod:`assess.stats.overdispersed_funnel`: between-area overdispersion (Spiegelhalter 2005,
  QSHC 14:347-351: winsorised z-scores, phi, chi-square test, DerSimonian-Laird tau^2) and funnel
  limits widened multiplicatively or by the additive random effect.
- :mod:`assess.stats.funnel_compare`: each area's position in that funnel, the areas outside
  each limit, and one area against a benchmark allowing for the spread of areas.

scipy.stats (about 1 s) and statsmodels (about 2 s) are imported inside the functions that call
them: the report process, which only reads and checks metrics, never pays for them.

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
from assess.stats.dispersion import Dispersion, monthly_dispersion
from assess.stats.funnel_compare import (
    DispersedComparison,
    FunnelAssessment,
    compare_with_benchmark_overdispersed,
    funnel_assessment,
)
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
from assess.stats.monthly_change import CountChange, change_in_monthly_counts, change_in_totals
from assess.stats.overdispersed_funnel import Overdispersion, estimate_overdispersion, overdispersed_funnel_limits
from assess.stats.quasi_trend import DispersedTrend, trend_in_counts, trend_in_monthly_counts
from assess.stats.series import Trend, rolling_12_month, trend_test

__all__ = [
    "MARKER",
    "Change",
    "Comparison",
    "CountChange",
    "DispersedComparison",
    "DispersedTrend",
    "Dispersion",
    "FunnelAssessment",
    "GroupComparison",
    "Overdispersion",
    "Proportion",
    "Rate",
    "RepeatOffending",
    "Trend",
    "byar_interval",
    "change_in_counts",
    "change_in_monthly_counts",
    "change_in_proportions",
    "change_in_rates",
    "change_in_totals",
    "compare_with_benchmark",
    "compare_with_benchmark_overdispersed",
    "compare_with_group",
    "estimate_overdispersion",
    "exact_poisson_interval",
    "funnel_assessment",
    "funnel_limits",
    "funnel_position",
    "gini",
    "monthly_dispersion",
    "newcombe_difference_interval",
    "overdispersed_funnel_limits",
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
    "trend_in_counts",
    "trend_in_monthly_counts",
    "trend_test",
    "wilson_interval",
]
