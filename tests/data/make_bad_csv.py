"""Regenerate the small damaged exports under tests/data/bad_csv/ (committed; tests read the files).

    python3 tests/data/make_bad_csv.py

Each ticket file has four tickets B1–B4 after the header; B1's request text is a quoted cell over two
lines, so that physical line numbers and spreadsheet row numbers differ by one from row 3 on:

    line 1    row 1  header
    lines 2-3 row 2  B1 (a legitimate two-line cell)
    line 4    row 3  B2
    line 5    row 4  B3
    line 6    row 5  B4

- ``*_ok``: that file, well formed: it must import (4 tickets).
- ``*_unclosed_quote_middle``: B2's text opens a quote and B3's text ends with one: B2 swallows
  B3 and a lenient reader would import 3 rows ("B2" with B3's tail), losing B3 without a word.
- ``*_unclosed_quote_last_row``: B4's text opens a quote that is never closed.
- ``*_short_row`` / ``*_long_row``: B3 has 10 / 12 cells where the header has 11.
- ``*_nul_byte``: a NUL character in B3's text.
- ``visits_*_unclosed_quote``: a return-visit file whose second row opens a quote never closed.

Each comes in UTF-8 (with a BOM) and GB18030, CRLF line ends, like the upstream's files.
"""

from pathlib import Path

OUT = Path(__file__).resolve().parent / "bad_csv"
HEADER = "工单编号,来源,受理时间,诉求类型,问题分类,诉求内容,诉求人,联系电话,诉求地址,所属社区,紧急程度"
VISIT_HEADER = "工单编号,回访时间,纳入考评,响应,解决,满意"


def ticket(no: str, content: str, *, extra: str = "", drop_last: bool = False) -> str:
    cells = [no, "市级直派", "2024-05-06 08:30", "投诉", "物业管理", content, "王女士", "13800001234",
             "酒仙桥南路5号楼", "南路社区", "一般"]  # fmt: skip
    if drop_last:
        cells = cells[:-1]
    return ",".join(cells) + extra


def tickets(**changes: str) -> list[str]:
    rows = {
        "B1": ticket("B1", '"楼道灯坏了。\n已报修两次,仍未修好。"'),
        "B2": ticket("B2", "小区门口占道经营。"),
        "B3": ticket("B3", "电梯停运三天。"),
        "B4": ticket("B4", "夜间施工噪音扰民。"),
    }
    rows.update(changes)
    return [HEADER, *rows.values()]


FILES = {
    "tickets_{enc}_ok.csv": tickets(),
    "tickets_{enc}_unclosed_quote_middle.csv": tickets(
        B2=ticket("B2", '"小区门口占道经营。'), B3=ticket("B3", '电梯停运三天。"')
    ),
    "tickets_{enc}_unclosed_quote_last_row.csv": tickets(B4=ticket("B4", '"夜间施工噪音扰民。')),
    "tickets_{enc}_short_row.csv": tickets(B3=ticket("B3", "电梯停运三天。", drop_last=True)),
    "tickets_{enc}_long_row.csv": tickets(B3=ticket("B3", "电梯停运三天。", extra=",多余")),
    "tickets_{enc}_nul_byte.csv": tickets(B3=ticket("B3", "电梯停运\x00三天。")),
    "visits_{enc}_unclosed_quote.csv": [
        VISIT_HEADER,
        "B1,2024-05-08 10:00,是,是,是,是",
        'B2,"2024-05-08 10:00,是,是,是,是',
        "B3,2024-05-08 10:00,是,是,是,是",
    ],
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for pattern, lines in FILES.items():
        for enc, codec in (("utf8", "utf-8-sig"), ("gb18030", "gb18030")):
            text = "\r\n".join(line.replace("\n", "\r\n") for line in lines) + "\r\n"
            (OUT / pattern.format(enc=enc)).write_bytes(text.encode(codec))


if __name__ == "__main__":
    main()
