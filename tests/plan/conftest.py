"""Fixtures for the planning tests: the SF case (spopt's test data) and random instances."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

DATA = Path(__file__).parents[1] / "data" / "plan"


@pytest.fixture(scope="session")
def sf_case() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(205 x 16 network distances in metres, tract population, site names)."""
    dist = pd.read_csv(
        DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
        dtype={"DestinationName": str},
    )
    demand = pd.read_csv(DATA / "SF_demand_205_centroid_uniform_weight.csv", dtype={"NAME": str})
    sites = pd.read_csv(DATA / "SF_store_site_16_longlat.csv")
    wide = dist.pivot(index="DestinationName", columns="name", values="distance")
    matrix = wide.loc[demand["NAME"], sites["NAME"]].to_numpy(dtype=float)
    return matrix, demand["POP2000"].to_numpy(dtype=float), list(sites["NAME"])


@pytest.fixture
def random_instance():
    """Factory: seeded random clients x sites travel times (minutes) and integer weights."""

    def make(n_clients: int, n_sites: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(seed)
        clients = rng.uniform(0, 10, (n_clients, 2))
        sites = rng.uniform(0, 10, (n_sites, 2))
        times = np.sqrt(((clients[:, None] - sites[None]) ** 2).sum(-1)) * 12.0
        return np.round(times, 3), rng.integers(1, 50, n_clients).astype(float)

    return make
