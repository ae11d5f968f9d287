"""The city brief for the mayor: HTML and PDF, in English, French and Spanish.

- :mod:`libpolis.evidence` assembles the figures from the store (one place for every number);
- :mod:`.document` turns them into translated sections of blocks (text, tables, charts, maps);
- :mod:`.charts` and :mod:`.maps` draw the SVG charts and maps (and the GeoJSON for Leaflet);
- :mod:`.brief` renders the same document as one self-contained HTML file and as an A4 PDF
  (Typst), and writes the files atomically;
- :mod:`.i18n` holds the gettext catalogs (``locale/``) and the locale number and date formats.
"""

__all__: list[str] = []
