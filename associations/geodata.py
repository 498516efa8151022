"""Commune centres and territory outlines of the département, from official open data.

Source: the IGN's ADMIN EXPRESS COG contours (Licence Ouverte 2.0) as published in GeoJSON by
the ``gregoiredavid/france-geojson`` project (file ``departements/62-pas-de-calais/…``), already
simplified there with Mapshaper (topology kept: two neighbouring communes share the very same
vertices). From them we derive, without any GIS library:

- the centre of each commune (area-weighted centroid of its largest polygon), used to place on
  the map an actor whose exact position is unknown (marked "approximate");
- the outline of each EPCI (the edges of its communes that no other commune of the same EPCI
  shares) and the département's outline, drawn under the map's markers so that the map stays
  readable when the tile server cannot be reached.

Pure Python on purpose: the build runs once in ``regenerer_contours`` and the results are
committed (``data/centres-communes-62.json`` and ``static/associations/territoires-62.geojson``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CENTRES_FILE = DATA_DIR / "centres-communes-62.json"
OUTLINES_FILE = Path(__file__).resolve().parent / "static" / "associations" / "territoires-62.geojson"
SOURCE_REPOSITORY = "gregoiredavid/france-geojson"
SOURCE_URL = "https://raw.githubusercontent.com/gregoiredavid/france-geojson/master/departements/62-pas-de-calais/"
SOURCE_FILES = ("communes-62-pas-de-calais.geojson", "departement-62-pas-de-calais.geojson")
# About 150 m: invisible at the department's zoom, keeps the outlines file small.
SIMPLIFY_TOLERANCE = 0.0015
PRECISION = 4

Point = tuple[float, float]


def _polygons(geometry: dict) -> list[list[list[Point]]]:
    if geometry["type"] == "Polygon":
        return [[[tuple(p) for p in ring] for ring in geometry["coordinates"]]]
    return [[[tuple(p) for p in ring] for ring in polygon] for polygon in geometry["coordinates"]]


def _ring_area_centroid(ring: list[Point]) -> tuple[float, float, float]:
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        xs, ys = zip(*ring, strict=True)
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return area, cx / (6 * area), cy / (6 * area)


def commune_centre(geometry: dict) -> tuple[float, float]:
    """(latitude, longitude) of the centroid of the commune's largest polygon."""
    best = max((_ring_area_centroid(polygon[0]) for polygon in _polygons(geometry)), key=lambda r: abs(r[0]))
    return round(best[2], 5), round(best[1], 5)


def _segments(geometry: dict):
    for polygon in _polygons(geometry):
        for ring in polygon:
            yield from zip(ring, ring[1:], strict=False)


def _chain(segments: set[tuple[Point, Point]]) -> list[list[Point]]:
    """Join loose segments into as few lines as possible."""
    neighbours: dict[Point, list[Point]] = {}
    for a, b in segments:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    used: set[frozenset] = set()
    lines = []
    # Start from the ends of open lines first, then from anywhere (closed rings).
    starts = [p for p, n in neighbours.items() if len(n) != 2] + list(neighbours)
    for start in starts:
        for nxt in neighbours[start]:
            if frozenset((start, nxt)) in used:
                continue
            line = [start]
            current, following = start, nxt
            while following is not None:
                used.add(frozenset((current, following)))
                line.append(following)
                current = following
                following = next(
                    (p for p in neighbours[current] if frozenset((current, p)) not in used),
                    None,
                )
                if len(neighbours[current]) > 2:
                    break
            lines.append(line)
    return lines


def _simplify(line: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative."""
    if len(line) < 3:
        return line
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = line[first], line[last]
        dx, dy = x1 - x0, y1 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, None
        for i in range(first + 1, last):
            px, py = line[i]
            if norm:
                distance = abs(dy * px - dx * py + x1 * y0 - y1 * x0) / norm
            else:
                distance = ((px - x0) ** 2 + (py - y0) ** 2) ** 0.5
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(line, keep, strict=True) if kept]


def _lines_geometry(segments: set, tolerance: float) -> dict:
    lines = []
    for line in _chain(segments):
        simplified = _simplify(line, tolerance)
        if len(simplified) >= 2:
            lines.append([[round(x, PRECISION), round(y, PRECISION)] for x, y in simplified])
    if lines and all(line[0] == line[-1] and len(line) >= 4 for line in lines):
        # Closed rings: polygons, so that the map can tint each EPCI.
        return {"type": "MultiPolygon", "coordinates": [[line] for line in lines]}
    return {"type": "MultiLineString", "coordinates": lines}


def _undirected(segment):
    a, b = segment
    return (a, b) if a <= b else (b, a)


def build(
    communes_geojson: dict, departement_geojson: dict, extract: dict, chefs_lieux: dict[str, str]
) -> tuple[dict, dict]:
    """(centres, outlines): centres {INSEE code: [lat, lng]} for every commune of the extract,
    outlines a FeatureCollection of the département and of each EPCI as lines.

    ``chefs_lieux`` maps a delegated or associated commune missing from the contours to the
    commune it belongs to (it then shares its centre)."""
    geometries = {f["properties"]["code"]: f["geometry"] for f in communes_geojson["features"]}
    centres: dict[str, list[float]] = {}
    for row in extract["communes"]:
        code = row["code"]
        geometry = geometries.get(code) or geometries.get(chefs_lieux.get(code, ""))
        if geometry is not None:
            centres[code] = list(commune_centre(geometry))
    epci_of = {row["code"]: row["epci"] for row in extract["communes"] if row["type"] == "commune-actuelle"}
    count: dict[str, dict] = {}
    for code, geometry in geometries.items():
        epci = epci_of.get(code)
        if not epci:
            continue
        bucket = count.setdefault(epci, {})
        for segment in _segments(geometry):
            key = _undirected(segment)
            bucket[key] = bucket.get(key, 0) + 1
    features = []
    departement_features = departement_geojson.get("features") or [departement_geojson]
    for feature in departement_features:
        segments = {_undirected(s) for s in _segments(feature["geometry"])}
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "departement", "code": extract["departement"], "name": "Pas-de-Calais"},
                "geometry": _lines_geometry(segments, SIMPLIFY_TOLERANCE),
            }
        )
    names = {row["code"]: row["nom"] for row in extract["epci"]}
    for epci, bucket in sorted(count.items(), key=lambda item: names.get(item[0], "")):
        outer = {segment for segment, seen in bucket.items() if seen == 1}
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "epci", "code": epci, "name": names.get(epci, epci)},
                "geometry": _lines_geometry(outer, SIMPLIFY_TOLERANCE),
            }
        )
    outlines = {
        "type": "FeatureCollection",
        "attribution": "IGN ADMIN EXPRESS COG 2018 (Licence Ouverte 2.0) via gregoiredavid/france-geojson",
        "features": features,
    }
    return centres, outlines


@cache
def commune_centres() -> dict[str, tuple[float, float]]:
    """{INSEE code: (latitude, longitude)}, read once per process."""
    data = json.loads(CENTRES_FILE.read_text(encoding="utf-8"))
    return {code: (lat, lng) for code, (lat, lng) in data["centres"].items()}
