"""Travel modes on OpenStreetMap ways: which ways a mode may use, in which direction, how fast.

These rules turn one way's tags into a usable / direction / speed decision; reading the file and
building the graph is :func:`libpolis.access.network.graph_from_pbf`.

Which ways a mode may use
-------------------------
The way's ``highway`` value must be in the mode's set below, and access tags must not forbid it.
Access is decided by the most specific tag present: walking ``foot`` > ``access``; cycling
``bicycle`` > ``vehicle`` > ``access``; driving ``motorcar`` > ``motor_vehicle`` > ``vehicle``
> ``access``. ``no``, ``private`` and (cycling) ``use_sidepath`` forbid; every other value
(``yes``, ``designated``, ``permissive``, ``destination``, ...) allows. Ways tagged
``area=yes`` are routed along their outline; ``highway=construction|proposed`` never are.

=========  ============================================================================
walk       footway, pedestrian, path, steps, living_street, residential, service,
           unclassified, tertiary(_link), secondary(_link), primary(_link), trunk(_link),
           track, road, bridleway, corridor, platform, crossing, trail (a non-standard
           synonym of path seen in the Helsinki extract), cycleway (unless ``foot=no``)
bike       cycleway, path, trail, living_street, residential, service, unclassified,
           tertiary(_link), secondary(_link), primary(_link), trunk(_link), track, road;
           footway, pedestrian, steps, bridleway, corridor, platform only with an explicit
           ``bicycle=yes|designated|permissive``
drive      motorway(_link), trunk(_link), primary(_link), secondary(_link),
           tertiary(_link), unclassified, residential, living_street, service (not
           ``service=emergency_access``), road
=========  ============================================================================

One-way streets
---------------
Driving: ``oneway=yes|true|1`` allows travel along the way's node order only, ``oneway=-1|
reverse`` against it; without a ``oneway`` tag, ``junction=roundabout|circular`` and
``highway=motorway`` (not links) are one-way. Cycling follows the same rules (OSM: ``oneway``
applies to bicycles) unless ``oneway:bicycle=no`` or a contraflow lane/track is tagged
(``cycleway[:left|:right|:both]=opposite|opposite_lane|opposite_track|opposite_share_busway``);
``oneway:bicycle=yes|-1`` makes a way one-way for bicycles alone. Walking ignores ``oneway``
(it applies to vehicles) and honours only ``oneway:foot``.

Speeds
------
Walking :data:`WALK_SPEED_KPH` (4.8 km/h) and cycling :data:`BIKE_SPEED_KPH` (15 km/h) on every
way. Driving at the way's ``maxspeed`` (km/h; ``mph`` converted; ``XX:urban`` 50,
``XX:rural`` 80, ``XX:motorway`` 120, ``walk`` 6, ``none`` 130; several values: the lowest),
else at the road-class default in :data:`DRIVE_SPEED_KPH`. No turn costs, signals or
congestion are modelled.
"""

from __future__ import annotations

import re

__all__ = ["BIKE_SPEED_KPH", "DRIVE_SPEED_KPH", "MODES", "WALK_SPEED_KPH"]

MODES = ("walk", "bike", "drive")
WALK_SPEED_KPH = 4.8
BIKE_SPEED_KPH = 15.0
DRIVE_SPEED_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 50.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "road": 30.0,
    "living_street": 10.0,
    "service": 20.0,
}
"""Default driving speed (km/h) by ``highway`` class when a way has no usable ``maxspeed``."""

_STREETS = {
    "living_street",
    "residential",
    "service",
    "unclassified",
    "tertiary",
    "tertiary_link",
    "secondary",
    "secondary_link",
    "primary",
    "primary_link",
    "trunk",
    "trunk_link",
    "track",
    "road",
}
_WALK = _STREETS | {
    "footway",
    "pedestrian",
    "path",
    "steps",
    "bridleway",
    "corridor",
    "platform",
    "crossing",
    "trail",
    "cycleway",
}
_BIKE = _STREETS | {"cycleway", "path", "trail"}
_BIKE_IF_ALLOWED = {"footway", "pedestrian", "steps", "bridleway", "corridor", "platform"}
_DRIVE = set(DRIVE_SPEED_KPH)
_DENY = {"no", "private"}
_ACCESS_KEYS = {
    "walk": ("foot", "access"),
    "bike": ("bicycle", "vehicle", "access"),
    "drive": ("motorcar", "motor_vehicle", "vehicle", "access"),
}
_YES = {"yes", "true", "1"}
_REVERSE = {"-1", "reverse"}
_CONTRAFLOW = {"opposite", "opposite_lane", "opposite_track", "opposite_share_busway"}
_LANE_KEYS = ("cycleway", "cycleway:left", "cycleway:right", "cycleway:both")
_ZONE_SPEED = {"urban": 50.0, "rural": 80.0, "motorway": 120.0, "trunk": 100.0}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def _allowed(tags: dict[str, str], mode: str) -> bool:
    for key in _ACCESS_KEYS[mode]:
        value = tags.get(key)
        if value is not None:
            value = value.split(";")[0].strip()
            return not (value in _DENY or (mode == "bike" and value == "use_sidepath"))
    return True


def _usable(tags: dict[str, str], mode: str) -> bool:
    hw = tags.get("highway")
    if hw is None:
        return False
    if mode == "walk":
        if hw not in _WALK:
            return False
        if hw == "cycleway" and tags.get("foot") in _DENY:
            return False
    elif mode == "bike":
        if hw in _BIKE_IF_ALLOWED:
            return tags.get("bicycle") in ("yes", "designated", "permissive")
        if hw not in _BIKE:
            return False
    else:
        if hw not in _DRIVE or tags.get("service") == "emergency_access":
            return False
    return _allowed(tags, mode)


def _direction(tags: dict[str, str], mode: str) -> tuple[bool, bool]:
    """(forward allowed, backward allowed) along the way's node order."""
    if mode == "walk":
        ow = tags.get("oneway:foot")
        return _oneway_value(ow, default=(True, True))
    ow = tags.get("oneway")
    if ow is None and (
        tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway"
    ):
        ow = "yes"
    vehicle = _oneway_value(ow, default=(True, True))
    if mode == "drive":
        return vehicle
    obike = tags.get("oneway:bicycle")
    if obike is not None:
        return _oneway_value(obike, default=vehicle)
    if vehicle != (True, True):
        lanes = (tags.get(k) for k in _LANE_KEYS)
        if any(v in _CONTRAFLOW for v in lanes if v is not None):
            return True, True
    return vehicle


def _oneway_value(value: str | None, default: tuple[bool, bool]) -> tuple[bool, bool]:
    if value is None:
        return default
    if value in _YES:
        return True, False
    if value in _REVERSE:
        return False, True
    if value == "no":
        return True, True
    return default


def _parse_maxspeed(value: str | None) -> float | None:
    if value is None:
        return None
    speeds = []
    for part in value.split(";"):
        part = part.strip().lower()
        m = _NUMBER.match(part)
        if m:
            v = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
            if v > 0:
                speeds.append(v)
        elif ":" in part:
            zone = part.split(":", 1)[1]
            if zone in _ZONE_SPEED:
                speeds.append(_ZONE_SPEED[zone])
        elif part == "walk":
            speeds.append(6.0)
        elif part == "none":
            speeds.append(130.0)
    return min(speeds) if speeds else None


def _speed_kph(tags: dict[str, str], mode: str) -> float:
    if mode == "walk":
        return WALK_SPEED_KPH
    if mode == "bike":
        return BIKE_SPEED_KPH
    speed = _parse_maxspeed(tags.get("maxspeed"))
    return speed if speed is not None else DRIVE_SPEED_KPH[tags["highway"]]


_TAG_KEYS = (  # the tags the rules above read; the reader keeps only these
    "highway",
    "access",
    "foot",
    "bicycle",
    "vehicle",
    "motor_vehicle",
    "motorcar",
    "service",
    "oneway",
    "oneway:foot",
    "oneway:bicycle",
    "junction",
    "cycleway",
    "cycleway:left",
    "cycleway:right",
    "cycleway:both",
    "maxspeed",
    "tunnel",
)
