"""Chinese addresses reduced to what identifies a place, and matched against the street's gazetteer
(docs/geography.md): ``address_key`` and ``resolve`` (``intake.places`` places the tickets with them).

A key keeps what identifies a place — full-width and Chinese numerals made digits, the district and
street prefixes, units, floors and rooms dropped, 号楼/栋/幢/座 and 号院/院 made one spelling. Keys are
compared exactly, then fuzzily (rapidfuzz) among the entries with the same building and courtyard
numbers, so a typo in a name matches but building 12 never becomes building 13. Two candidates in
different places that score alike are not chosen between: ``resolve`` answers None.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max
from rapidfuzz import fuzz, process

from intake.models import GazetteerEntry, PlaceOrigin

# a fuzzy match needs this score (0-100, rapidfuzz's ratio of the keys)...
MATCH_SCORE = 85
# ...and must beat a candidate elsewhere by this much, or the address is left for the center
MATCH_MARGIN = 5

_PREFIXES = ("北京市", "北京", "朝阳区", "酒仙桥街道", "街道办事处", "街道")
_NOISE = re.compile(r"(附近|门口|门前|旁边|对面|楼下|周边|周围|一带|路边|边上|处|内)$")
_DETAIL = re.compile(r"(\d+(单元|门|层|楼层|室|户|号房|房间?)|\d+-\d+(-\d+)?).*$")
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+(?=号|栋|幢|座|楼|院|单元|层|室|门|区|期|巷|条|里)")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def _cn_to_int(text: str) -> int:
    """一二三 numerals to an int: 十二 → 12, 二十 → 20, 一百零五 → 105, 三〇五 → 305."""
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


def address_key(address: str) -> str:
    """The address reduced to what identifies a place (see the module docstring)."""
    text = unicodedata.normalize("NFKC", address or "").lower()
    # "3-2-301" (building-unit-room): the building stays, the unit and room go
    text = re.sub(r"(\d+)\s*[-—–]\s*\d+(\s*[-—–]\s*\d+)?", r"\1号楼", text)
    text = _PUNCT.sub("", text)
    text = _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(0))), text)
    changed = True
    while changed:
        changed = False
        for prefix in _PREFIXES:
            if text.startswith(prefix):
                text, changed = text[len(prefix) :], True
    text = text.replace("社区", "").replace("小区", "")
    # "3号楼2单元301": the building stays, the unit and room go
    text = re.sub(r"(\d+)(号楼|栋|幢|座|号栋|楼)", r"\1号楼", text)
    text = re.sub(r"(\d+)号?院", r"\1号院", text)
    text = re.sub(r"(号楼)(\d+(单元|门|层|室|户|号)|\d+).*$", r"\1", text)
    text = _DETAIL.sub("", text) if not re.search(r"号楼\d", text) else text
    previous = None
    while previous != text:
        previous = text
        text = _NOISE.sub("", text)
    return text[:255]


def _numbers(key: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d+", key))


@dataclass(frozen=True)
class Match:
    entry_id: int
    community_id: int
    grid_cell_id: int | None
    lon: float | None
    lat: float | None
    origin: str  # GazetteerEntry.Origin
    score: float

    @property
    def ticket_origin(self) -> str:
        return {
            GazetteerEntry.Origin.IMPORTED: PlaceOrigin.GAZETTEER,
            GazetteerEntry.Origin.LEARNED: PlaceOrigin.HISTORY,
            GazetteerEntry.Origin.PLACED: PlaceOrigin.CENTER,
        }[self.origin]


class _Book:
    """One street's entries, grouped by their numbers."""

    def __init__(self) -> None:
        self.by_key: dict[str, Match] = {}
        self.by_numbers: dict[tuple[str, ...], list[str]] = {}

    def add(self, key: str, match: Match) -> None:
        self.by_key[key] = match
        self.by_numbers.setdefault(_numbers(key), []).append(key)

    def find(self, key: str) -> Match | None:
        """The entry for the key, else for the courtyard or building it lies in (5号院3号楼 → 5号院)."""
        if not key:
            return None
        match = self._find(key)
        cuts = [m.end() for m in re.finditer("号院|号楼", key) if m.end() < len(key)]
        for cut in reversed(cuts):
            if match is not None:
                break
            match = self._find(key[:cut])
        return match

    def _find(self, key: str) -> Match | None:
        exact = self.by_key.get(key)
        if exact is not None:
            return exact
        candidates = self.by_numbers.get(_numbers(key), [])
        found = process.extract(key, candidates, scorer=fuzz.ratio, limit=5, score_cutoff=MATCH_SCORE)
        if not found:
            return None
        best_key, best_score, _index = found[0]
        best = self.by_key[best_key]
        for other_key, other_score, _i in found[1:]:
            other = self.by_key[other_key]
            elsewhere = (other.grid_cell_id, other.community_id) != (best.grid_cell_id, best.community_id)
            if elsewhere and best_score - other_score < MATCH_MARGIN:
                return None  # two places fit about equally: the center decides
        return Match(best.entry_id, best.community_id, best.grid_cell_id, best.lon, best.lat, best.origin, best_score)


class _Gazetteer:
    """Every street's entries in memory, one book a street; rebuilt when the table changes."""

    def __init__(self, version, rows):
        self.version = version
        self.books: dict[int, _Book] = {}
        for pk, street_id, key, community_id, grid_cell_id, lon, lat, origin in rows:
            book = self.books.setdefault(street_id, _Book())
            book.add(key, Match(pk, community_id, grid_cell_id, lon, lat, origin, 100.0))

    def find(self, key: str, street_id: int | None = None) -> Match | None:
        """The place of the key in the street's gazetteer (never another street's). Without a street:
        the only street's, when the deployment has one gazetteer (the single-street tools and tests)."""
        if street_id is None:
            if len(self.books) != 1:
                return None
            street_id = next(iter(self.books))
        book = self.books.get(street_id)
        return book.find(key) if book is not None else None


_cache: _Gazetteer | None = None
_cache_lock = threading.Lock()


def gazetteer() -> _Gazetteer:
    global _cache
    state = GazetteerEntry.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    version = (state["n"], state["at"])
    with _cache_lock:
        if _cache is None or _cache.version != version:
            rows = GazetteerEntry.objects.values_list(
                "id", "street_id", "key", "community_id", "grid_cell_id", "lon", "lat", "origin"
            )
            _cache = _Gazetteer(version, list(rows))
        return _cache


def resolve(address: str, street_id: int | None = None) -> Match | None:
    """The place of an address in the street's gazetteer, or None when the street does not know it
    (well enough)."""
    return gazetteer().find(address_key(address), street_id)
