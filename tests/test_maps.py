"""Maps: every department and municipality of Guatemala is drawn from the bundled
boundaries, the SVG parses, stays small, and carries its values for hover and focus."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from catalog import territories
from catalog.indicators import maps

SVG = "{http://www.w3.org/2000/svg}"
MAX_BYTES = 150 * 1024


def _draw(level: str, values: dict[str, float]) -> str:
    return maps.choropleth(
        level,
        values,
        title="Prueba",
        describe=lambda code, value: f"{territories.name(code)}: {value}",
        link=lambda code: f"/territories/{code}/",
        legend=lambda low, high: f"{low} – {high}",
        no_data="Sin datos",
        ident="t",
    )


def _links(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return {a.get("href", "").split("/")[2]: a for a in root.iter(SVG + "a")}


def test_every_department_and_municipality_has_a_shape():
    departments, _lakes = maps.shapes("department")
    municipalities, lakes = maps.shapes("municipality")
    assert set(departments) == {d["code"] for d in territories.departments()}
    assert set(municipalities) == {m["code"] for m in territories.municipalities()}
    assert len(departments) == 22 and len(municipalities) == 340
    assert lakes  # Atitlán and Amatitlán are drawn as water, not as municipalities


def test_the_municipal_map_is_valid_small_and_complete():
    codes = [m["code"] for m in territories.municipalities()]
    values = {code: float(i) for i, code in enumerate(codes)}
    svg = _draw("municipality", values)
    assert len(svg.encode("utf-8")) <= MAX_BYTES
    links = _links(svg)
    assert set(links) == set(codes)
    coban = links["1601"]
    assert coban.find(SVG + "title").text == f"Cobán: {values['1601']}"
    assert coban.get("aria-label") == coban.find(SVG + "title").text
    fills = {a.find(SVG + "path").get("fill") for a in links.values()}
    assert fills == set(maps.PALETTE)  # five quantile classes


def test_the_department_map_shows_missing_data_in_grey():
    svg = _draw("department", {"01": 10.0, "16": 30.0})
    links = _links(svg)
    assert set(links) == {d["code"] for d in territories.departments()}
    assert links["05"].find(SVG + "path").get("fill") == maps.NO_DATA
    assert links["16"].find(SVG + "path").get("fill") == maps.PALETTE[-1]
    assert links["01"].find(SVG + "path").get("fill") == maps.PALETTE[0]
    assert "Sin datos" in svg and "http://" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_locator_maps_highlight_one_territory():
    for code in ("16", "1601", "0101"):
        svg = maps.locator(code, "Mapa")
        root = ET.fromstring(svg)
        fills = [p.get("fill") for p in root.iter(SVG + "path")]
        assert fills.count(maps.HIGHLIGHT) == 1
    assert maps.locator("9999", "x") == ""
    # A municipality is shown within its department only.
    assert len(list(ET.fromstring(maps.locator("1601", "x")).iter(SVG + "path"))) == len(
        territories.municipalities("16")
    )


def test_quantile_breaks():
    assert maps.breaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == [2, 4, 6, 8, 10]
    assert maps.breaks([5, 5, 5]) == [5]
    assert maps.breaks([]) == []
    assert maps.colour(None, [1.0]) == maps.NO_DATA
    assert maps.colour(5, [5]) == maps.PALETTE[-1]
