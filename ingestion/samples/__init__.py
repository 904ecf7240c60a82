"""Deterministic synthetic feeds for the four STAR partners, with the truths they plant.

`python -m ingestion.samples --out data/sample` writes spend ledgers and supplier lists in each
partner's own layout (imitating the quirks of the councils' real published files) and an
answers.json computed from the generated payments by this package's own code, never by the
pipeline's, so that known-answer tests compare two independent computations.
"""
