"""Measuring: from the processed store to the figures, verdicts and words a chapter publishes.

- :mod:`~assess.measure.context`: one CSP and financial year, and the tables that concern them;
- :mod:`~assess.measure.counts`: police.uk records counted by period, area and category;
- :mod:`~assess.measure.flags`: the force's crime and case flags (a partner file);
- :mod:`~assess.measure.comparators`: CSP rates against England and the most similar group;
- :mod:`~assess.measure.national`: national comparator figures (England, England and Wales);
- :mod:`~assess.measure.survey`: resident survey shares, weighted;
- :mod:`~assess.measure.reconcile`: police.uk against the Home Office recorded crime;
- :mod:`~assess.measure.metrics`: the headline metric and ``metrics.json`` (its JSON Schema beside it);
- :mod:`~assess.measure.narrative`: sentences from computed comparisons.

The statistical methods themselves are in :mod:`assess.stats`.
"""
