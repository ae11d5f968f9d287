"""Alignment of texts with the SDGs, human rights, Culture 21 Actions and city goals."""
