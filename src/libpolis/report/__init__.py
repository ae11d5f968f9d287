"""The city brief for the mayor: HTML and PDF, in English, French and Spanish.

The report renders evidence and reads no store: :mod:`libpolis.evidence` assembles the figures
(one place for every number) and ``libpolis.pipeline.run_report`` hands them to
:func:`.brief.render_brief`.

- :mod:`.document` turns the evidence into translated sections of blocks: the model in
  :mod:`.blocks`, names and labels in :mod:`.words`, one module per part in :mod:`.sections`,
  the recommendations' sentences in :mod:`.recommendations`, charts and maps in
  :mod:`.chartset` (drawn by :mod:`.charts` and :mod:`.maps`);
- :mod:`.brief` renders the same document as one self-contained HTML file and as an A4 PDF
  (Typst), and writes the files atomically;
- :mod:`.i18n` holds the gettext catalogs (``locale/``, with plural forms); number and date
  formats come from :mod:`libpolis.evidence.format`, shared with the web app.
"""

__all__: list[str] = []
