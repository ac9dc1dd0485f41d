"""The chapters of the assessment: one module per chapter, one function per section.

A section function takes the :class:`~assess.measure.context.AssessmentContext` and the chapter's
:class:`~assess.report.outputs.ChapterOutputs`, computes with :mod:`assess.stats` and
:mod:`assess.measure.metrics`, and emits text, tables, charts, metrics and findings through ``out``.
A notebook is then a readable list of sections with no logic of its own.
"""
