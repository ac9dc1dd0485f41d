"""assess: a reproducible Community Safety Strategic Assessment.

Data flows one way: ``data/raw`` (as published) -> ``assess.sources`` (read + validate) ->
``assess.store.harmonise`` (categories, placing rows in ward, local authority and CSP) ->
``data/processed`` (Parquet + manifest, ``assess.store``) -> ``assess.stats`` / ``assess.measure.metrics``
-> chapters (notebooks) -> ``reports/<csp>/<year>/`` (``assess.report``).
"""

__version__ = "0.1.0"

SYNTHETIC_LABEL = "synthetic demonstration data"
OGL_ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."
