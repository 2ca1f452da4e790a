"""The fitted combiner of the same-matter score: its model file, its features, and pairs on either side
of the threshold (docs/proactive.md)."""

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from proactive import similarity
from proactive.indexing import profile_from_signature, profile_to_json
from proactive.models import TicketSignature
from proactive.similarity import FEATURES, Weights, pair_features, profile_of

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def ticket(text, address="", *, category=1, day=0):
    return profile_of(text, address=address, category_id=category, community_id=1, received_at=AT + timedelta(days=day))


@pytest.fixture
def model_file(tmp_path, monkeypatch):
    """Points the measure at a model file of the test's own; the shipped one is read again afterwards."""
    path = tmp_path / "similarity_model.json"
    monkeypatch.setattr(similarity, "MODEL_FILE", path)
    similarity._fitted.cache_clear()
    yield path
    similarity._fitted.cache_clear()


def test_the_score_is_the_logistic_model_of_the_terms_named_in_the_model_file(model_file):
    # given a model of two terms: a feature alone and a product of two
    model_file.write_text(
        json.dumps({"terms": ["char_cosine", "word_cosine*same_community"], "coef": [3.0, 2.0], "intercept": -1.5}),
        encoding="utf-8",
    )
    a = ticket("12号楼楼道灯坏了一个多月，晚上上下楼黑漆漆的", "南路小区12号楼")
    b = ticket("12号楼楼道灯不亮，物业一直不修", "南路小区12号楼", day=3)
    weights = Weights.from_settings()
    features = dict(zip(FEATURES, pair_features(a, b, weights.time_scale_days), strict=True))
    # when the pair is scored
    value = similarity.similarity(a, b, weights).score
    # then it is exactly that model
    logit = -1.5 + 3.0 * features["char_cosine"] + 2.0 * features["word_cosine"] * features["same_community"]
    assert value == pytest.approx(1 / (1 + math.exp(-logit)), abs=1e-4)
    assert features["char_cosine"] > 0.1  # the pair shares text: the score is the model's, not the floor's


def test_another_coefficient_in_the_model_file_changes_the_score(model_file):
    a = ticket("12号楼楼道灯坏了一个多月", "南路小区12号楼")
    b = ticket("12号楼楼道灯不亮", "南路小区12号楼")
    scores = []
    for coef in (1.0, 6.0):
        model_file.write_text(json.dumps({"terms": ["char_cosine"], "coef": [coef], "intercept": -2.0}), "utf-8")
        similarity._fitted.cache_clear()
        scores.append(similarity.similarity(a, b).score)
    assert scores[1] > scores[0]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        ({"terms": ["char_cosine", "shoe_size"], "coef": [1.0, 1.0], "intercept": 0.0}, "unknown features"),
        ({"terms": ["char_cosine*"], "coef": [1.0], "intercept": 0.0}, "unknown features"),
        ({"terms": ["char_cosine", "word_cosine"], "coef": [1.0], "intercept": 0.0}, "2 terms but 1 coefficients"),
    ],
)
def test_a_model_file_of_other_features_is_refused_with_a_clear_error(model_file, model, message):
    model_file.write_text(json.dumps(model), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        Weights.from_settings()


def test_the_shipped_model_names_only_known_features_and_no_pickle():
    data = json.loads(similarity.MODEL_FILE.read_text(encoding="utf-8"))
    assert similarity.parse_terms(data["terms"])  # raises on an unknown feature
    assert len(data["coef"]) == len(data["terms"])
    assert set(data["fitted_on"]) == {"labelled.csv", "hard_dev.csv"}  # never a hold-out


def test_text_shared_only_through_the_address_is_place_not_matter():
    # two matters at one roundabout: the landmark 环岛 is in both addresses and both texts
    lights = ticket("大山子环岛的红绿灯时间太短，过马路走一半就变灯", "大山子环岛")
    lamps = ticket("大山子环岛附近路灯晚上不亮，黑乎乎的", "大山子环岛", category=2)
    named = dict(zip(FEATURES, pair_features(lights, lamps, 14), strict=True))
    assert named["place_share"] > 0
    assert named["matter_char_cosine"] < named["char_cosine"]
    # a retelling that shares matter words keeps its matter similarity
    again = ticket("环岛那个人行横道红绿灯只有十几秒，根本走不过去", "大山子环岛人行横道", day=2)
    retold = dict(zip(FEATURES, pair_features(lights, again, 14), strict=True))
    assert retold["matter_char_cosine"] > named["matter_char_cosine"]


def test_different_matters_at_one_address_stay_below_the_threshold():
    threshold = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    broken = ticket("红霞路3号楼电梯坏了三天，老人下不了楼", "红霞路3号楼")
    new_lift = ticket("红霞路3号楼想申请加装电梯，咨询一下怎么办理", "红霞路3号楼", day=1)
    clutter = ticket("东路小区9号楼楼道里堆满了纸箱杂物，堵住了安全通道", "东路小区9号楼")
    lamp = ticket("东路小区9号楼楼道灯坏了，晚上上楼看不见", "东路小区9号楼", day=1)
    assert similarity.similarity(broken, new_lift).score < threshold
    assert similarity.similarity(clutter, lamp).score < threshold


def test_a_paraphrase_in_traditional_characters_is_above_the_threshold():
    threshold = settings.PROACTIVE_SAME_MATTER_THRESHOLD
    clutter = ticket("东路小区9号楼楼道里堆满了纸箱杂物，堵住了安全通道", "东路小区9号楼")
    clutter_told = ticket("東路小區9號樓樓道堆放雜物，消防通道被堵", "東路小區9號樓", day=2)
    lift = ticket("红霞路3号楼电梯坏了三天，老人下不了楼", "红霞路3号楼")
    lift_told = ticket("紅霞路3號樓電梯壞了好幾天，老人上下樓困難", "紅霞路三號樓", day=1)
    assert similarity.similarity(clutter, clutter_told).score >= threshold
    assert similarity.similarity(lift, lift_told).score >= threshold


def test_a_stored_signature_keeps_the_matter_part_and_an_older_one_still_loads():
    profile = ticket("大山子环岛附近路灯晚上不亮，黑乎乎的", "大山子环岛")
    stored = TicketSignature(profile=profile_to_json(profile), category_id=1, community_id=1, received_at=AT)
    loaded = profile_from_signature(stored)
    assert loaded.place_sounds == profile.place_sounds
    assert loaded.matter_chars_norm == pytest.approx(profile.matter_chars_norm, abs=1e-5)
    assert loaded.matter_chars_norm < loaded.chars_norm  # 环岛 is place, not matter
    assert pair_features(loaded, profile, 14) == pytest.approx(pair_features(profile, profile, 14), abs=1e-5)
    # a signature of the measure before the matter part: all its text counts as matter until re-indexed
    older = {k: v for k, v in profile_to_json(profile).items() if k not in ("ps", "mn", "mcn", "msn")}
    old = profile_from_signature(TicketSignature(profile=older, category_id=1, community_id=1, received_at=AT))
    assert old.matter_chars_norm == old.chars_norm
    assert 0 <= similarity.similarity(old, profile).score <= 1


def test_the_matter_part_is_computed_only_for_a_model_that_reads_it(model_file):
    a = ticket("大山子环岛的红绿灯时间太短，过马路走一半就变灯", "大山子环岛")
    b = ticket("大山子环岛附近路灯晚上不亮，黑乎乎的", "大山子环岛")
    full, lean = pair_features(a, b, 14), pair_features(a, b, 14, matter=False)
    kept = [FEATURES.index(n) for n in FEATURES if not n.startswith("matter_") and n != "place_share"]
    assert [full[i] for i in kept] == [lean[i] for i in kept]
    assert full[FEATURES.index("matter_char_cosine")] > 0 == lean[FEATURES.index("matter_char_cosine")]
    model_file.write_text(json.dumps({"terms": ["char_cosine"], "coef": [1.0], "intercept": 0.0}), "utf-8")
    assert not Weights.from_settings().matter
    model_file.write_text(json.dumps({"terms": ["matter_char_cosine*place"], "coef": [1.0], "intercept": 0.0}), "utf-8")
    similarity._fitted.cache_clear()
    weights = Weights.from_settings()
    assert weights.matter
    # and the score reads it: a model of the matter part alone scores by it
    expected = 1 / (1 + math.exp(-full[FEATURES.index("matter_char_cosine")] * full[FEATURES.index("place")]))
    assert similarity.similarity(a, b, weights).score == pytest.approx(expected, abs=1e-4)
