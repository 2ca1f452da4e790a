"""``manage.py report``: the JSON of issue 4 to the character, the text paragraph, an empty range."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import counted_ticket


@pytest.fixture
def first_quarter(community_a, department_b):
    # January: 3 city + 1 district, all counted: yyy, yyy, yny, ynn (one double-no)
    counted_ticket("2023-01-01 00:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-10 09:00", unit=community_a, visit="yyy")
    counted_ticket("2023-01-20 09:00", unit=department_b, visit="yny")
    counted_ticket("2023-01-31 23:59", unit=department_b, source="district", visit="ynn")
    # February: 2 city, one counted (yyy), one awaiting its visit
    counted_ticket("2023-02-01 00:00", unit=community_a, visit="yyy")
    counted_ticket("2023-02-14 12:00", unit=department_b)
    # March: nothing; April is outside the range
    counted_ticket("2023-04-01 00:00", unit=community_a, visit="nnn")


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


EXPECTED_JSON = """{
  "from": "2023-01-01",
  "to": "2023-03-31",
  "days": 90,
  "month_count": 3,
  "total": 6,
  "by_source": {
    "city": {
      "count": 5,
      "share": 83.33
    },
    "district": {
      "count": 1,
      "share": 16.67
    }
  },
  "monthly_average": 2.00,
  "daily_average": 0.07,
  "counted": {
    "count": 5,
    "share_of_city": 80.00
  },
  "rates": {
    "response": 100.00,
    "resolution": 75.00,
    "satisfaction": 87.50,
    "composite": 81.25
  },
  "pooled_rates": {
    "response": 100.00,
    "resolution": 60.00,
    "satisfaction": 80.00
  },
  "double_no": 1,
  "months": [
    {
      "month": "2023-01",
      "total": 4,
      "city": 3,
      "district": 1,
      "counted": 4,
      "response": 100.00,
      "resolution": 50.00,
      "satisfaction": 75.00,
      "composite": 62.50
    },
    {
      "month": "2023-02",
      "total": 2,
      "city": 2,
      "district": 0,
      "counted": 1,
      "response": 100.00,
      "resolution": 100.00,
      "satisfaction": 100.00,
      "composite": 100.00
    },
    {
      "month": "2023-03",
      "total": 0,
      "city": 0,
      "district": 0,
      "counted": 0,
      "response": null,
      "resolution": null,
      "satisfaction": null,
      "composite": null
    }
  ]
}
"""


def test_json_report_has_the_exact_shape_and_figures(first_quarter):
    out, _ = run("--from", "2023-01-01", "--to", "2023-03-31", "--format", "json")

    assert out == EXPECTED_JSON
    # each key once: the number of months is month_count, the list of monthly rows is months
    pairs = json.loads(out, object_pairs_hook=lambda p: p)
    assert [k for k, _ in pairs] == [
        "from", "to", "days", "month_count", "total", "by_source", "monthly_average", "daily_average",
        "counted", "rates", "pooled_rates", "double_no", "months",
    ]  # fmt: skip
    report = json.loads(out)
    assert report["month_count"] == 3 == len(report["months"])
    assert report["months"][0]["month"] == "2023-01"
    for _key, value in pairs:  # no object anywhere repeats a key
        if isinstance(value, list) and value and isinstance(value[0], tuple):
            assert len({k for k, _ in value}) == len(value)


def test_json_report_of_one_unit(first_quarter, community_a):
    out, _ = run("--from", "2023-01-01", "--to", "2023-03-31", "--format", "json", "--unit", "南路社区")
    report = json.loads(out)

    assert report["total"] == 3
    assert report["rates"]["resolution"] == 100.0
    assert [m["total"] for m in report["months"]] == [2, 1, 0]


def test_text_report_is_a_chinese_work_report_paragraph(first_quarter):
    out, _ = run("--from", "2023-01-01", "--to", "2023-03-31")

    assert out.startswith("2023年1月1日至2023年3月31日(共90天),酒仙桥街道办理市、区诉求共计6件,")
    assert "其中市级直派5件,占比83.33%" in out
    assert "区级转派1件,占比16.67%" in out
    assert "月均2.00件、日均0.07件" in out
    assert "纳入考评5件,其中市级直派4件,占市级直派件的80.00%" in out
    assert "平均解决率75.00%" in out and "平均满意率87.50%" in out and "综合评分81.25分" in out
    assert "双否件1件" in out


def test_an_empty_range_says_so_instead_of_dividing_by_zero(first_quarter):
    out, err = run("--from", "2022-06-01", "--to", "2022-06-30", "--format", "json")
    report = json.loads(out)

    assert "没有受理诉求" in err
    assert report["total"] == 0 and report["days"] == 30
    assert report["by_source"]["city"] == {"count": 0, "share": None}
    assert report["monthly_average"] == 0 and '"monthly_average": 0.00' in out
    assert report["counted"] == {"count": 0, "share_of_city": None}
    assert set(report["rates"].values()) == {None} and set(report["pooled_rates"].values()) == {None}

    text, _ = run("--from", "2022-06-01", "--to", "2022-06-30")
    assert "没有受理" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2023-13-01", "--to", "2023-12-31"], "2023-13-01"),
        (["--from", "2023-03-01", "--to", "2023-02-01"], "晚于结束日期"),
        (["--from", "2023-01-01", "--to", "2023-01-31", "--unit", "不存在社区"], "不存在社区"),
        (["--from", "2023-01-01", "--to", "2023-01-31", "--format", "xlsx"], "--output"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_output_file(first_quarter, tmp_path):
    target = tmp_path / "report.json"
    out, _ = run("--from", "2023-01-01", "--to", "2023-03-31", "--format", "json", "--output", str(target))

    assert out == ""
    assert target.read_text(encoding="utf-8") == EXPECTED_JSON
