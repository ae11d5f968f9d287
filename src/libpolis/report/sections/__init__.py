"""One module per part of the brief; each function turns the evidence into a :class:`Section`."""
