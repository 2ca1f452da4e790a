"""The test street's geography and gazetteer (tests/data/geography/), for every test that needs places."""

from pathlib import Path

from intake.places import import_gazetteer
from org.geography import load_geography

GEO_DATA = Path(__file__).resolve().parent / "data" / "geography"


def load_test_street(*, gazetteer: bool = True, street=None) -> None:
    """Two communities (南路社区 west of 116.49°E, 东路社区 east of it, 39.96–39.97°N), three grid cells
    (NL-1, NL-2, DL-1) and, unless told otherwise, five known addresses."""
    load_geography(GEO_DATA / "street.geojson", street=street)
    if gazetteer:
        import_gazetteer(GEO_DATA / "gazetteer.csv", street=street)
