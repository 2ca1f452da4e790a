"""How alike two tickets are: the measure behind "similar tickets" and the hot spots (docs/proactive.md).

A ticket is reduced to a *profile*: its text normalised (full-width to half-width, traditional to
simplified Chinese, Chinese numerals before 号/栋/单元/层 to digits), place references moved to the
address, segmented by jieba with a small street dictionary and street synonyms folded. The profile holds:

- **words** weighted by jieba's inverse document frequency (a rare word such as 早市 says more than 小区);
- **characters**: the character 1-, 2- and 3-grams of the synonym-folded text, which survive
  segmentation differences and paraphrases that share a character (垃圾站 / 垃圾堆, 楼道灯 / 楼道里的灯);
- **sounds**: the tone-less pinyin syllables and syllable pairs of the same text, which homophone typos
  keep (楼到 / 楼道 lou-dao, 暖器 / 暖气 nuan-qi);
- the place: the address's character bigrams, the community and the grid cell.

Characters and sounds are weighted by their inverse document frequency in a reference set of the
street's tickets (``ngram_df.json``, written with the model by bench/similarity_fit.py), so 电梯 weighs
more than 楼 or 了.

The score of a pair (``score``) is a logistic model fitted on labelled pairs (``similarity_model.json``,
written by bench/similarity_fit.py) over the terms the model file names, each a feature of
``pair_features`` or a product of them. The shipped model multiplies each text feature — the
IDF-weighted cosines of the words, of the characters and of the sounds — by each context feature (1, same
category, same community, place, time closeness), so the context only scales what the texts share; texts
whose characters are less alike than ``PROACTIVE_TEXT_FLOOR`` score 0. ``pair_features`` also gives the
same cosines over the *matter* part (less the place text of either ticket), for a model that reads them.
docs/proactive.md gives the figures on the labelled sets.

The same profile yields a MinHash signature whose LSH band keys are stored per ticket
(``proactive.models.TicketSignature`` / ``SignatureBand``) so that candidates for one ticket are found
by an indexed lookup instead of a scan.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

HERE = Path(__file__).resolve().parent
USER_DICT = HERE / "userdict.txt"
STOP_WORDS = HERE / "stopwords.txt"
SYNONYMS = HERE / "synonyms.txt"

_MERSENNE = (1 << 61) - 1
_CJK_OR_ALNUM = re.compile(r"[\u4e00-\u9fff0-9a-z]+")
_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 十二号楼 -> 12号楼: residents say numbers both ways, the building is the same.
_CN_NUMBER_BEFORE_UNIT = re.compile(r"([零一二两三四五六七八九十]{1,3})(?=号|栋|单元|层|楼|门)")

# Where in the street: building, gate and unit references. They are compared as place, not as text,
# so that "12号楼" in two unrelated complaints does not make them look alike.
_PLACE_REF = re.compile(r"\d+(?:号楼|号院|号|单元|栋|层|楼)|[东西南北]门|[东西南北]侧")
_GENERIC_PLACE = ("小区", "社区", "街道")

_lock = threading.Lock()


def _cn_to_int(text: str) -> int | None:
    if "十" not in text:
        return _CN_DIGITS.get(text) if len(text) == 1 else None
    tens, _sep, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    value = (_CN_DIGITS.get(tens, -100) if tens else 1) * 10 + (_CN_DIGITS.get(ones, -100) if ones else 0)
    return value if value >= 0 else None


@cache
def _converter():
    # opencc's t2s tables are loaded once per process; pure Python, no native build.
    from opencc import OpenCC

    return OpenCC("t2s")


@cache
def _tokenizer():
    """jieba's dictionary plus ours, loaded once per process (about a second)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its INFO lines on every process start are noise in the logs
    with _lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(USER_DICT))
    return tokenizer


@cache
def _idf() -> tuple[dict[str, float], float]:
    import jieba.analyse

    path = Path(jieba.analyse.__file__).resolve().parent / "idf.txt"
    weights: dict[str, float] = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            word, _sep, value = line.rstrip("\n").rpartition(" ")
            if word:
                weights[word] = float(value)
    ordered = sorted(weights.values())
    return weights, ordered[len(ordered) // 2]


@cache
def _place_names() -> re.Pattern:
    """Place names of the street (the ``ns`` entries of the user dictionary), longest first."""
    names = [line.split()[0] for line in USER_DICT.read_text(encoding="utf-8").splitlines() if line.endswith(" ns")]
    names += list(_GENERIC_PLACE)
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True)))


@cache
def _synonyms() -> dict[str, str]:
    table = {}
    for line in SYNONYMS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            canonical, *others = line.split()
            for word in others:
                table.setdefault(word, canonical)
    return table


@cache
def _stop_words() -> frozenset[str]:
    lines = STOP_WORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def normalise(text: str) -> str:
    """Lower-case simplified Chinese with half-width characters and Arabic building numbers."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _converter().convert(text)

    def to_digits(match: re.Match) -> str:
        value = _cn_to_int(match.group(1))
        return str(value) if value is not None else match.group(1)

    return _CN_NUMBER_BEFORE_UNIT.sub(to_digits, text)


def _sound_grams(text: str) -> set[str]:
    """Tone-less syllables and syllable pairs (pypinyin): homophone typos (楼到/楼道, 暖器/暖气) keep them."""
    from pypinyin import lazy_pinyin

    grams: set[str] = set()
    for run in _CJK_OR_ALNUM.findall(text):
        syllables = lazy_pinyin(run)
        grams.update(syllables)
        grams.update(f"{syllables[i]}-{syllables[i + 1]}" for i in range(len(syllables) - 1))
    return grams


def _char_grams(text: str) -> set[str]:
    """Character 1-, 2- and 3-grams of each run of Chinese characters, letters and digits."""
    grams: set[str] = set()
    for run in _CJK_OR_ALNUM.findall(text):
        for n in (1, 2, 3):
            grams.update(run[i : i + n] for i in range(len(run) - n + 1))
    return grams


def fold(text: str) -> str:
    """The normalised text with the street's synonyms folded and its stop words cut (jieba's segmentation,
    each word replaced by the first of its line in synonyms.txt): 卡拉ok / 歌厅 / ktv all read 歌厅."""
    synonyms = _synonyms()
    stop = _stop_words()
    words = (synonyms.get(word.strip(), word.strip()) for word in _tokenizer().lcut(text))
    # a stop word breaks the text (no n-gram across it); the other words join up again, so that n-grams
    # do not depend on where jieba cut (单元楼|道 and 楼道灯 share 楼道)
    return "".join(" " if word in stop else word for word in words)


NGRAM_DF_FILE = HERE / "ngram_df.json"


@cache
def _ngram_idf() -> tuple[dict[str, float], float]:
    """IDF of the character and syllable n-grams, from the document frequencies counted in a reference
    set of tickets (``ngram_df.json``; only n-grams in two tickets or more are stored). An n-gram seen in
    fewer counts as seen in one: rare, so it weighs most."""
    import json

    data = json.loads(NGRAM_DF_FILE.read_text(encoding="utf-8"))
    documents = data["documents"]
    weights = {gram: math.log((documents + 1) / (df + 1)) + 1 for gram, df in data["df"].items()}
    return weights, math.log((documents + 1) / 2) + 1


def ngram_document_frequencies(profiles: list[Profile]) -> dict:
    """What ``ngram_df.json`` holds, counted over these profiles (bench/similarity_fit.py)."""
    from collections import Counter

    df: Counter = Counter()
    for profile in profiles:
        df.update(profile.chars)
        df.update(profile.sounds)
    return {"documents": len(profiles), "df": {gram: n for gram, n in sorted(df.items()) if n >= 2}}


def _weighted_norm(grams: frozenset[str]) -> float:
    idf, unseen = _ngram_idf()
    return math.sqrt(sum(idf.get(g, unseen) ** 2 for g in grams))


def _weighted_cosine(shared: set[str], a_norm: float, b_norm: float) -> float:
    if not a_norm or not b_norm:
        return 0.0
    idf, unseen = _ngram_idf()
    return sum(idf.get(g, unseen) ** 2 for g in shared) / (a_norm * b_norm)


def _bigrams(text: str) -> set[str]:
    grams: set[str] = set()
    for run in _CJK_OR_ALNUM.findall(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


@dataclass(frozen=True)
class Profile:
    """What the measure compares: weighted words, character and syllable n-grams of one ticket, plus
    context. ``norm``, ``chars_norm`` and ``sounds_norm`` are the lengths of the weighted vectors."""

    words: dict[str, float]
    chars: frozenset[str] = frozenset()  # character 1-3-grams of the folded text
    place_grams: frozenset[str] = frozenset()
    sounds: frozenset[str] = frozenset()  # tone-less syllables and pairs: 燥音 and 噪音 are both zao-yin
    category_id: int | None = None
    community_id: int | None = None
    grid_cell_id: int | None = None
    received_at: datetime | None = None
    place_sounds: frozenset[str] = frozenset()  # syllables and pairs of the place text (address, place names)
    norm: float = field(default=0.0)
    chars_norm: float = field(default=0.0)
    sounds_norm: float = field(default=0.0)
    # the lengths of the *matter* part: the same vectors less what the ticket's own place text explains
    matter_norm: float = field(default=0.0)
    matter_chars_norm: float = field(default=0.0)
    matter_sounds_norm: float = field(default=0.0)
    place_chars: frozenset[str] = field(default=frozenset())

    def features(self) -> set[str]:
        """The set MinHash summarises: the words. (Bigrams would dilute the estimate between
        paraphrases; typos are handled by the exact score, which reads the bigrams.)"""
        return set(self.words)


def segment(text: str) -> list[str]:
    """The meaningful words of an already normalised text (jieba precise mode, stop words removed)."""
    stop = _stop_words()
    synonyms = _synonyms()
    words = []
    for word in _tokenizer().lcut(text):
        word = synonyms.get(word.strip(), word.strip())
        if not word or word in stop or not _CJK_OR_ALNUM.fullmatch(word):
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        words.append(word)
    return words


def profile_of(
    content: str,
    *,
    address: str = "",
    category_id: int | None = None,
    community_id: int | None = None,
    grid_cell_id: int | None = None,
    received_at: datetime | None = None,
) -> Profile:
    text = normalise(content)
    address = normalise(address)
    # place references leave the text and join the address, where the place term compares them
    places = _place_names()
    place_text = address + " " + " ".join(_PLACE_REF.findall(text)) + " " + " ".join(places.findall(text))
    text = places.sub(" ", _PLACE_REF.sub(" ", text))
    idf, median_idf = _idf()
    weights: dict[str, float] = {}
    for word in segment(text):
        # term frequency matters little in two-line complaints: each word counts once, by rarity
        weights[word] = idf.get(word, median_idf)
    folded = fold(text)
    return make_profile(
        weights,
        chars=frozenset(_char_grams(folded)),
        sounds=frozenset(_sound_grams(folded)),
        place_grams=frozenset(_bigrams(place_text)),
        place_sounds=frozenset(_sound_grams(place_text)),
        category_id=category_id,
        community_id=community_id,
        grid_cell_id=grid_cell_id,
        received_at=received_at,
    )


def make_profile(
    words: dict[str, float],
    *,
    chars: frozenset[str],
    sounds: frozenset[str],
    place_grams: frozenset[str] = frozenset(),
    place_sounds: frozenset[str] = frozenset(),
    **context,
) -> Profile:
    """A profile with its vector lengths (from a text, or from a stored signature)."""
    place_chars = frozenset(c for gram in place_grams for c in gram)
    return Profile(
        words=words,
        chars=chars,
        sounds=sounds,
        place_grams=place_grams,
        place_sounds=place_sounds,
        place_chars=place_chars,
        norm=math.sqrt(sum(v * v for v in words.values())),
        chars_norm=_weighted_norm(chars),
        sounds_norm=_weighted_norm(sounds),
        matter_norm=math.sqrt(sum(v * v for k, v in words.items() if not _is_place(k, place_grams, place_chars))),
        matter_chars_norm=_weighted_norm(frozenset(g for g in chars if not _is_place(g, place_grams, place_chars))),
        matter_sounds_norm=_weighted_norm(sounds - place_sounds),
        **context,
    )


def _is_place(gram: str, place_grams: frozenset[str], place_chars: frozenset[str], *more: frozenset[str]) -> bool:
    """Whether a word or character n-gram is place text: all its character pairs are in the place bigrams
    (the address and place names of one of the two tickets: 环岛 of 大山子环岛, 南门 of 高家园小区南门);
    a single character when it is one of their characters. ``more``: the other ticket's bigrams, then
    characters."""
    if len(gram) == 1:
        return gram in place_chars or (len(more) > 1 and gram in more[1])
    other = more[0] if more else frozenset()
    return all(gram[i : i + 2] in place_grams or gram[i : i + 2] in other for i in range(len(gram) - 1))


def profile_of_ticket(ticket) -> Profile:
    return profile_of(
        ticket.content,
        address=ticket.address,
        category_id=ticket.category_id,
        community_id=ticket.community_id,
        grid_cell_id=ticket.grid_cell_id,
        received_at=ticket.received_at,
    )


def _jaccard(a: frozenset | set, b: frozenset | set) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


@dataclass(frozen=True)
class Similarity:
    score: float
    text: float
    shared_words: list[str]
    same_category: bool
    same_community: bool
    days_apart: float | None

    def reasons(self) -> list[str]:
        """Why the pair looks like one matter, in words a triage clerk reads."""
        why = []
        if self.shared_words:
            why.append(_("shared words: %(words)s") % {"words": "、".join(self.shared_words)})
        if self.same_community:
            why.append(_("same community"))
        if self.same_category:
            why.append(_("same category"))
        if self.days_apart is not None:
            why.append(_("%(days)s days apart") % {"days": f"{self.days_apart:.0f}"})
        return why


MODEL_FILE = HERE / "similarity_model.json"
# What a pair is described by (``pair_features``); the fitted model names its terms from these, alone or
# as products ("matter_char_cosine*same_community").
FEATURES = (
    "word_cosine",
    "char_cosine",
    "sound_cosine",
    "matter_word_cosine",
    "matter_char_cosine",
    "matter_sound_cosine",
    "place_share",
    "same_category",
    "same_community",
    "place",
    "time",
)
_CHAR_COSINE = FEATURES.index("char_cosine")
_MATTER = frozenset(FEATURES.index(name) for name in FEATURES if name.startswith("matter_") or name == "place_share")


@dataclass(frozen=True)
class Weights:
    """The fitted coefficients of the score (``similarity_model.json``) and the time scale, read once
    per lookup or job rather than once per pair. ``terms[k]``: the positions in FEATURES whose product is
    the k-th term, weighted by ``coef[k]``."""

    terms: tuple[tuple[int, ...], ...]
    coef: tuple[float, ...]
    intercept: float
    time_scale_days: float
    text_floor: float

    @property
    def matter(self) -> bool:
        """Whether a term reads the matter part (when none does, the lookup does not compute it)."""
        return any(position in _MATTER for term in self.terms for position in term)

    @classmethod
    def from_settings(cls) -> Weights:
        terms, coef, intercept = _fitted()
        return cls(
            terms=terms,
            coef=coef,
            intercept=intercept,
            time_scale_days=settings.PROACTIVE_TIME_SCALE_DAYS,
            text_floor=settings.PROACTIVE_TEXT_FLOOR,
        )


def parse_terms(names: list[str]) -> tuple[tuple[int, ...], ...]:
    """``["a", "a*b"]`` -> positions in FEATURES; an unknown feature is an error (a model of other features)."""
    out = []
    for name in names:
        parts = name.split("*")
        unknown = [p for p in parts if p not in FEATURES]
        if unknown or not name:
            raise ValueError(
                f"{MODEL_FILE.name} names unknown features {unknown or [name]}; run bench/similarity_fit.py"
            )
        out.append(tuple(FEATURES.index(p) for p in parts))
    return tuple(out)


@cache
def _fitted() -> tuple[tuple[tuple[int, ...], ...], tuple[float, ...], float]:
    import json

    data = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    terms = parse_terms(data["terms"])
    coef = tuple(float(v) for v in data["coef"])
    if len(coef) != len(terms):
        raise ValueError(f"{MODEL_FILE.name}: {len(terms)} terms but {len(coef)} coefficients")
    return terms, coef, float(data["intercept"])


def _weighted_sum(grams) -> float:
    idf, unseen = _ngram_idf()
    return sum(idf.get(g, unseen) ** 2 for g in grams)


def pair_features(a: Profile, b: Profile, time_scale_days: float, *, matter: bool = True) -> tuple[float, ...]:
    """The features of a pair, in the order of FEATURES: what the fitted score combines.

    The cosines of the words, characters and sounds, then the same over the **matter** part only: what
    the two texts share less what is place text of either ticket (its address and the place names and
    building references taken out of its text), so that two complaints about one crossing that share
    环岛 but not their matter (红绿灯 / 路灯) do not look alike for the crossing; ``place_share``: the share
    of the shared characters' weight that is place text. The text features are all 0 for two texts that
    share no two characters and no two syllables in a row (暖气不热 and 遛狗不拴绳 share only 不).
    ``matter=False``: the matter features are left 0 (a model that does not read them: half the time)."""
    shared_chars, shared_sounds = a.chars & b.chars, a.sounds & b.sounds
    if any(len(g) > 1 for g in shared_chars) or any("-" in g for g in shared_sounds):
        cosine = matter_cosine = 0.0
        if a.norm and b.norm:
            aw, bw = (a.words, b.words) if len(a.words) <= len(b.words) else (b.words, a.words)
            product = matter_product = 0.0
            for word, value in aw.items():
                if word in bw:
                    product += value * bw[word]
                    if matter and not _is_place(word, a.place_grams, a.place_chars, b.place_grams, b.place_chars):
                        matter_product += value * bw[word]
            cosine = product / (a.norm * b.norm)
            if matter and a.matter_norm and b.matter_norm:
                matter_cosine = matter_product / (a.matter_norm * b.matter_norm)
        text = (
            cosine,
            _weighted_cosine(shared_chars, a.chars_norm, b.chars_norm),
            _weighted_cosine(shared_sounds, a.sounds_norm, b.sounds_norm),
        )
        if matter:
            matter_chars = [
                g for g in shared_chars if not _is_place(g, a.place_grams, a.place_chars, b.place_grams, b.place_chars)
            ]
            shared_weight, matter_weight = _weighted_sum(shared_chars), _weighted_sum(matter_chars)
            matter_sounds = shared_sounds - a.place_sounds - b.place_sounds
            text += (
                matter_cosine,
                matter_weight / (a.matter_chars_norm * b.matter_chars_norm)
                if a.matter_chars_norm and b.matter_chars_norm
                else 0.0,
                _weighted_cosine(matter_sounds, a.matter_sounds_norm, b.matter_sounds_norm),
                1.0 - matter_weight / shared_weight if shared_weight else 0.0,
            )
        else:
            text += (0.0, 0.0, 0.0, 0.0)
    else:
        text = (0.0,) * 7  # not two characters nor two syllables in a row in common: nothing shared
    same_category = 1.0 if a.category_id is not None and a.category_id == b.category_id else 0.0
    if a.community_id is None or b.community_id is None:
        place, same_community = 0.5, 0.0
    else:
        same_community = 1.0 if a.community_id == b.community_id else 0.0
        place = same_community
    if a.grid_cell_id is not None and b.grid_cell_id is not None:
        # the grid cell, where both were placed, says more than the community
        place = 1.0 if a.grid_cell_id == b.grid_cell_id else 0.0
    if a.place_grams and b.place_grams:
        # the address refines the community: the same building or gate counts, another one less
        place = 0.5 * place + 0.5 * min(1.0, 2 * _jaccard(a.place_grams, b.place_grams))
    if a.received_at is not None and b.received_at is not None:
        closeness = math.exp(-abs((a.received_at - b.received_at).total_seconds()) / 86400 / time_scale_days)
    else:
        closeness = 0.5
    return (*text, same_category, same_community, place, closeness)


def score(a: Profile, b: Profile, w: Weights) -> float:
    """The same-matter score of two profiles, between 0 and 1 (module docstring): a logistic model over
    the pair's features; 0 when the texts share (almost) nothing."""
    if _weighted_cosine(a.chars & b.chars, a.chars_norm, b.chars_norm) < w.text_floor:
        return 0.0  # most candidates of a lookup end here, before the other features are computed
    return _fitted_score(pair_features(a, b, w.time_scale_days, matter=w.matter), w)


def _fitted_score(features: tuple[float, ...], w: Weights) -> float:
    if features[_CHAR_COSINE] < w.text_floor:
        return 0.0  # the text decides: the context never makes a match of texts this far apart
    logit = w.intercept
    for term, coef in zip(w.terms, w.coef, strict=True):
        value = coef
        for position in term:
            value *= features[position]
        logit += value
    return 1.0 / (1.0 + math.exp(-logit))


def similarity(a: Profile, b: Profile, weights: Weights | None = None) -> Similarity:
    """The documented score of two profiles (module docstring), between 0 and 1, with its reasons."""
    weights = weights or Weights.from_settings()
    features = pair_features(a, b, weights.time_scale_days, matter=weights.matter)
    named = dict(zip(FEATURES, features, strict=True))
    days = None
    if a.received_at is not None and b.received_at is not None:
        days = abs((a.received_at - b.received_at).total_seconds()) / 86400
    shared = sorted(set(a.words) & set(b.words), key=lambda word: -a.words[word])[:6]
    return Similarity(
        score=round(_fitted_score(features, weights), 4),
        text=round(0.5 * named["char_cosine"] + 0.5 * named["sound_cosine"], 4),  # for the reader
        shared_words=shared,
        same_category=bool(named["same_category"]),
        same_community=bool(named["same_community"]),
        days_apart=days,
    )


# --- MinHash / LSH: the index that finds candidates without a scan ---------------------------------


def _feature_hash(feature: str) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big") % _MERSENNE


@cache
def _permutations(count: int) -> tuple[tuple[int, int], ...]:
    # fixed seeds: stored band keys must stay comparable across processes and releases
    out = []
    for i in range(count):
        digest = hashlib.blake2b(f"jxq-minhash-{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % _MERSENNE or 1
        b = int.from_bytes(digest[8:], "big") % _MERSENNE
        out.append((a, b))
    return tuple(out)


def minhash(features: set[str], count: int | None = None) -> list[int]:
    """``count`` MinHash values of a feature set (empty set: no signature)."""
    count = count or settings.PROACTIVE_MINHASH_PERMUTATIONS
    if not features:
        return []
    hashed = [_feature_hash(f) for f in features]
    return [min((a * x + b) % _MERSENNE for x in hashed) for a, b in _permutations(count)]


def band_keys(signature: list[int]) -> list[int]:
    """One signed 63-bit key per LSH band: ``PROACTIVE_LSH_BANDS`` bands of ``PROACTIVE_LSH_ROWS`` MinHash
    values each, from the start of the signature (the band number is hashed in, so equal values in
    different bands never collide)."""
    rows = settings.PROACTIVE_LSH_ROWS
    keys = []
    for band in range(min(settings.PROACTIVE_LSH_BANDS, len(signature) // rows)):
        chunk = ",".join(str(v) for v in signature[band * rows : (band + 1) * rows])
        digest = hashlib.blake2b(f"{band}:{chunk}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
