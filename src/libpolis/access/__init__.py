"""Access and equity: travel time to the nearest library, coverage, E2SFCA, inequality."""

__all__ = ["coverage", "cultural", "equity", "fca", "graph", "modes", "nearest", "network"]
