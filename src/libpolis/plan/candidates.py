"""Old home of the candidate-site readers, now :mod:`libpolis.sources.candidates`.

Kept only while ``libpolis.steps.plan`` and ``tests/plan/test_candidates.py`` import from here:
it breaks the "analyses import no source" contract and goes once they import
:mod:`libpolis.sources.candidates` (the pipeline's plan step).
"""

from __future__ import annotations

from libpolis.sources.candidates import CANDIDATE_TAGS, candidates_from_file, candidates_from_pbf

__all__ = ["CANDIDATE_TAGS", "candidates_from_file", "candidates_from_pbf"]
