"""Benchmark of the one search (issue 14): each kind of search at 1,000,000 tickets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jxq_search_bench DEBUG=1 \\
        .venv/bin/python bench/search_bench.py 1000000 [--days 365] [--repeat 100] [--keep]

Writes COUNT tickets with set-based SQL into a PostgreSQL database whose name contains "bench" (it
empties the ticket tables first, so it refuses any other database): contents and addresses drawn from
~50,000 combinations of a street's usual matters, places and details, ~300,000 callers (so a caller
has ~3 tickets), ~12,000 names; the search columns are computed in Python once per combination and
per phone, then joined in; the indexes are built afterwards, then VACUUM (ANALYZE), as autovacuum
leaves a table that has been in use. With --keep an existing load of exactly COUNT tickets is reused.
Before timing, the ticket table is read once in order (into the operating system's cache, where a
server whose memory holds the table keeps it).

Then, as center staff (who sees every ticket and may search phones and names), for each kind of
search it runs --repeat different searches of that kind and times two things: the search itself
(``dispatch.search.search_tickets`` over the API's scoped queryset, and reading the first page of 50,
newest first, as the API does — the personal-data log row included) and the whole API request
(``GET /api/v1/tickets/?q=``: session, access, search, serialising the page). It prints the median
and the 95th percentile of each — for the search also the time inside its queries — the load
average (``uptime``) and this command. Target: p95 ≤ 50 ms for the search.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jxq_cases.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from bench.stats import QueryClock, p95  # noqa: E402
from dispatch.api import scoped_tickets  # noqa: E402
from dispatch.search import search_tickets  # noqa: E402
from intake.models import Ticket  # noqa: E402
from intake.search_columns import caller_key, document_words, phone_tail  # noqa: E402
from intake.staging import model_defaults  # noqa: E402
from org.models import Role, Unit, User  # noqa: E402
from org.streets import default_street  # noqa: E402

MATTERS = [
    "楼道灯坏了很久没人修",
    "夜间施工噪音扰民",
    "小区垃圾没人清运",
    "暖气不热室温只有十五度",
    "下水道堵塞污水外溢",
    "小区门口占道经营",
    "广场舞音响声音太大",
    "电动车在楼道里充电有隐患",
    "共享单车乱停乱放堵住出入口",
    "路灯不亮晚上出行不安全",
    "井盖丢失存在安全隐患",
    "楼上漏水把天花板泡坏了",
    "电梯经常停运老人上下楼困难",
    "物业不作为乱收费",
    "违章建筑占用公共绿地",
    "餐馆油烟扰民",
    "停车位被长期占用",
    "自来水水质发黄",
    "小区绿化带被毁种菜",
    "外墙保温层脱落",
    "消防通道被堵",
    "装修噪音周末也不停",
    "树木遮挡采光需要修剪",
    "流浪猫狗太多伤人",
    "房屋漏雨无人维修",
    "公交站牌损坏",
    "道路坑洼积水严重",
    "早市摊贩占道",
    "快递柜占用消防通道",
    "二次供水设备故障停水",
    "燃气管道有异味",
    "垃圾分类桶不够用",
    "小区监控坏了",
    "楼顶违建",
    "施工扬尘严重",
    "非机动车棚被拆",
    "门禁系统失灵",
    "供暖费收取不合理",
    "无障碍坡道被占",
    "社区卫生站服务时间太短",
]
DETAILS = [
    "已经一个多星期了",
    "反映过多次没有解决",
    "影响老人和孩子出行",
    "希望尽快处理",
    "晚上十点以后还在继续",
    "物业说不归他们管",
    "邻居们意见很大",
    "下雨天更加严重",
    "请相关部门来现场看看",
    "之前打过电话没有回复",
    "周边居民都受影响",
    "存在很大的安全隐患",
    "希望给个明确答复",
    "要求赔偿损失",
    "要求公开处理结果",
    "已经找过居委会",
    "夏天味道很大",
    "冬天更麻烦",
    "早上六点就开始",
    "持续了两个月",
    "多次协商未果",
    "孩子没法写作业",
    "影响正常休息",
    "老人摔倒过一次",
    "大家联名反映",
]
PLACES = [
    "酒仙桥路",
    "将台路",
    "驼房营南里",
    "大山子",
    "电子城",
    "酒仙桥南路",
    "酒仙桥北路",
    "万红路",
    "芳园里",
    "丽都花园",
    "高家园",
    "南十里居",
    "东北门",
    "安家楼",
    "霄云路",
    "亮马桥",
    "798艺术区",
    "颐堤港",
    "彩虹路",
    "星城国际",
    "望京东路",
    "坝河",
    "东风乡",
    "将府公园",
    "驼房营路",
    "京顺路",
    "来广营",
    "北小河",
    "七星中街",
    "万红西街",
    "康家园",
    "新源里",
    "三里屯",
    "左家庄",
    "麦子店",
    "枣营北里",
    "农展馆",
    "团结湖",
    "呼家楼",
    "六里屯",
    "甜水园",
    "红领巾公园",
    "朝阳公园",
    "姚家园路",
    "东坝",
    "平房",
    "常营",
    "管庄",
    "双桥",
    "豆各庄",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰华红梅文斌海燕辉鹏飞云龙凤志国春梅晓东丹凯淑珍"
HONORIFICS = ("先生", "女士", "阿姨", "大爷")
COMBOS = 50_000
PHONES = 300_000


def refuse_other_databases() -> None:
    database = connection.settings_dict["NAME"]
    if connection.vendor != "postgresql" or "bench" not in database:
        sys.exit(
            f"refusing to run on {connection.vendor} database {database!r}: use a PostgreSQL database named *bench*"
        )


def _copy(cursor, table: str, columns: str, rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(value) for value in row) + "\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def pools(rng: random.Random) -> tuple[list, list, list]:
    texts = []
    for i in range(COMBOS):
        place = rng.choice(PLACES)
        content = f"{place}{rng.choice(MATTERS)}，{rng.choice(DETAILS)}，{rng.choice(DETAILS)}。"
        address = f"朝阳区{place}{rng.randint(1, 40)}号院{rng.randint(1, 20)}号楼"
        texts.append((i, content, address, document_words(content, address)))
    phones = []
    seen = set()
    while len(phones) < PHONES:
        phone = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        if phone not in seen:
            seen.add(phone)
            phones.append((len(phones), phone, caller_key(phone), phone_tail(phone)))
    names = []
    for surname in SURNAMES:
        for a in GIVEN:
            names.append(surname + a + rng.choice(GIVEN))
        names += [surname + honorific for honorific in HONORIFICS]
    return texts, phones, [(i, name) for i, name in enumerate(names)]


def load(count: int, days: int, keep: bool, seed: int = 14) -> None:
    refuse_other_databases()
    call_command("migrate", verbosity=0)
    if keep and Ticket.objects.count() == count:
        print(f"reusing the {count} tickets already loaded")
        return
    started = time.perf_counter()
    rng = random.Random(seed)
    texts, phones, names = pools(rng)
    print(
        f"pools: {len(texts)} texts, {len(phones)} phones, {len(names)} names in {time.perf_counter() - started:.1f}s"
    )
    now = timezone.now()
    data_cols = [
        "ticket_no",
        "source",
        "received_at",
        "kind",
        "content",
        "address",
        "complainant_name",
        "complainant_phone",
        "status",
        "lead_unit_id",
        "street_id",
        "search_words",
        "caller_key",
        "phone_tail",
    ]
    default_cols, defaults = model_defaults(Ticket, set(data_cols), now)
    street = default_street()
    units = list(Unit.objects.filter(street=street, is_center=False).values_list("id", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute("TRUNCATE intake_ticket, intake_returnvisit, intake_importbatch CASCADE")
        # the table's own indexes are built once after the rows are in (the unique ticket number stays)
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = 'intake_ticket'::regclass AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("CREATE TEMP TABLE b_text (i int, content text, address text, words text) ON COMMIT DROP")
        cursor.execute("CREATE TEMP TABLE b_phone (i int, phone text, key text, tail text) ON COMMIT DROP")
        cursor.execute("CREATE TEMP TABLE b_name (i int, name text) ON COMMIT DROP")
        cursor.execute("CREATE TEMP TABLE b_unit (i int, id int) ON COMMIT DROP")
        _copy(cursor, "b_text", "i, content, address, words", texts)
        _copy(cursor, "b_phone", "i, phone, key, tail", phones)
        _copy(cursor, "b_name", "i, name", names)
        _copy(cursor, "b_unit", "i, id", enumerate(units))
        for table in ("b_text", "b_phone", "b_name", "b_unit"):
            cursor.execute(f"CREATE UNIQUE INDEX ON {table} (i)")
            cursor.execute(f"ANALYZE {table}")
        # a ticket g of COUNT: received in order over DAYS, its number from its day and g, its text,
        # caller, name and unit picked by multiplicative hashes of g (the same run gives the same data)
        cursor.execute(
            f"INSERT INTO intake_ticket ({', '.join(data_cols + default_cols)}) "
            "SELECT 'JXQ' || to_char(r.at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(g::text, 7, '0'), "
            "CASE WHEN mod(g, 3) = 0 THEN 'district' ELSE 'city' END, r.at, "
            "(ARRAY['consult','help','complaint','report','suggestion'])[1 + mod(g, 5)], "
            "t.content, t.address, n.name, p.phone, "
            "CASE WHEN r.at > %s - interval '20 days' THEN "
            "(ARRAY['received','triaged','dispatched','contacted','handling','reviewed','replied'])[1 + mod(g, 7)] "
            "ELSE 'closed' END, u.id, %s, t.words, p.key, p.tail, "
            f"{', '.join(['%s'] * len(default_cols))} "
            "FROM generate_series(1, %s) g "
            "CROSS JOIN LATERAL (SELECT %s - (%s - g) * (%s * interval '1 day') / %s AS at) r "
            "JOIN b_text t ON t.i = mod(g::bigint * 7919, %s) "
            "JOIN b_phone p ON p.i = mod(g::bigint * 104729, %s) "
            "JOIN b_name n ON n.i = mod(g::bigint * 15485863, %s) "
            "JOIN b_unit u ON u.i = mod(g, %s)",
            [
                now,
                street.pk,
                *defaults,
                count,
                now,
                count,
                days,
                count,
                len(texts),
                len(phones),
                len(names),
                len(units),
            ],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the foreign keys now: then indexes may be built
        loaded = time.perf_counter()
        print(f"{count} tickets written in {loaded - started:.0f}s; building {len(indexes)} indexes")
        for _name, definition in indexes:
            cursor.execute(definition)
    # VACUUM as autovacuum would have long since done on a street's years of tickets: the rows'
    # commit hint bits set (else the first search to read a row writes its page back) and the
    # visibility map filled; ANALYZE for the planner
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) intake_ticket")
    print(f"indexes, VACUUM and ANALYZE in {time.perf_counter() - loaded:.0f}s")


def warm() -> None:
    """Read the ticket table once, in order: a database server whose memory holds the table (2.3 GB
    at 1,000,000 tickets) has it in the operating system's cache; this machine's other work may have
    pushed it out since the last run."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM intake_ticket WHERE search_words <> ''")
    print(f"ticket table read once in {time.perf_counter() - started:.1f}s")


def person() -> User:
    user, _ = User.objects.get_or_create(username="bench-center", defaults={"role": Role.CENTER_STAFF})
    user.units.set([Unit.objects.get(street=default_street(), is_center=True)])
    return user


def queries(rng: random.Random, repeat: int) -> dict[str, list[str]]:
    """``repeat`` different searches of each kind, drawn from the loaded tickets."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ticket_no, complainant_phone, complainant_name FROM intake_ticket TABLESAMPLE SYSTEM (1) LIMIT %s",
            [repeat * 4],
        )
        rows = cursor.fetchall()
    rng.shuffle(rows)
    rows = rows[:repeat]
    words = [m[:2] for m in MATTERS] + PLACES + ["噪音", "垃圾清运", "楼道灯", "占道经营", "暖气", "漏水 天花板"]
    return {
        "number (whole)": [no for no, _p, _n in rows],
        "number prefix (all but 2 digits)": [no[:-2] for no, _p, _n in rows],
        # a day holds ~2,700 tickets here, over SEARCH_MATCH_LIMIT: answered with "type more of it"
        "number prefix (a day: too many)": [no[:11] for no, _p, _n in rows],
        "phone (whole)": [phone for _no, phone, _n in rows],
        "phone (last four)": [phone[-4:] for _no, phone, _n in rows],
        "name": [name for _no, _p, name in rows],
        "content words": [rng.choice(words) for _ in rows],
        "content words (two)": [f"{rng.choice(MATTERS)[:2]} {rng.choice(PLACES)}" for _ in rows],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("count", type=int)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="reuse an existing load of exactly COUNT tickets")
    args = parser.parse_args()
    load(args.count, args.days, args.keep)
    warm()
    user = person()
    client = APIClient()
    client.force_authenticate(user)
    rng = random.Random(7)
    kinds = queries(rng, args.repeat)
    print("command:", " ".join(["DATABASE_URL=…" + connection.settings_dict["NAME"], "DEBUG=1", *sys.argv]))
    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    print(f"{Ticket.objects.count()} tickets; {args.repeat} different searches per kind, after one warm-up")
    header = (
        f"{'kind':34} {'search median':>13} {'p95':>7} {'its SQL median':>14} {'p95':>7} "
        f"{'API median':>10} {'p95':>7} {'found':>5}"
    )
    print(header)
    search_tickets(user, kinds["content words"][0], scoped_tickets(user)).tickets.exists()  # warm-up
    for kind, texts in kinds.items():
        search_ms, sql_ms, api_ms, found = [], [], [], []
        for text in texts:
            clock = QueryClock()
            started = time.perf_counter()
            with connection.execute_wrapper(clock):
                result = search_tickets(user, text, scoped_tickets(user))
                page = list(result.tickets.order_by("-received_at", "-id")[:51])
            search_ms.append((time.perf_counter() - started) * 1000)
            sql_ms.append(clock.seconds * 1000)
            found.append(len(page))
            started = time.perf_counter()
            answer = client.get("/api/v1/tickets/", {"q": text})
            api_ms.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, (text, answer.content[:200])
        print(
            f"{kind:34} {statistics.median(search_ms):11.1f}ms {p95(search_ms):5.1f}ms "
            f"{statistics.median(sql_ms):12.1f}ms {p95(sql_ms):5.1f}ms "
            f"{statistics.median(api_ms):8.1f}ms {p95(api_ms):5.1f}ms {statistics.median(found):5.0f}"
        )
    print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
