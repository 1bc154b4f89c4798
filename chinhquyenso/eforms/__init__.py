"""E-forms (biểu mẫu điện tử): every online procedure has an electronic form whose data lands in
a structured, queryable store (the "specialised database" of the directive).

The app owns:
- ``FormDefinition`` (one per procedure) and its ``FormVersion``s: a builder document (``spec``)
  compiled to a JSON Schema (draft 2020-12) and a UI schema; immutable once published;
- server-side rendering to accessible HTML, coercion of HTML strings to JSON types, validation
  with Vietnamese per-field messages (``validation.py``, ``formats.py``);
- drafts (``FormDraft``), pre-fill from the profile and previous submissions (``prefill.py``);
- ``FormSubmission``: the data a dossier was filed with, and the per-procedure tables and exports
  over it for officers (``selectors.submission_table``, ``exports.py``).
See ``docs/eforms.md``.
"""
