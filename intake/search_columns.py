"""The ticket columns that search and the repeat-caller link read, derived from what the upstream sent.

- ``search_words``: the content and the address as search terms: each run of Chinese characters as
  every piece of 2 to 4 characters (楼道灯坏 -> 楼道 楼道灯 楼道灯坏 道灯 道灯坏 灯坏), each run of
  letters or digits as itself, lower-cased. PostgreSQL keeps a ``tsvector`` of it in the generated
  column ``search_vector`` with a GIN index (migration ``intake.0005``): a searched Chinese word of 2
  to 4 characters is one stored word, found exactly in the tickets whose text holds it. SQLite
  searches the text itself. Why pieces, not jieba's words or pg_trgm: docs/intake.md, "Search".
- ``caller_key``: a keyed hash (HMAC-SHA256, key ``settings.CALLER_KEY``) of the complainant's phone
  digits: the tickets of one caller share it, and it does not show the number.
- ``phone_tail``: the last four digits of the phone (the number as people read it out).

``Ticket.save`` fills them when the content, address or phone is written; the set-based import calls
``refresh_search_columns`` for the rows it wrote.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings
from django.db import connection

SOURCE_FIELDS = ("content", "address", "complainant_phone")
COLUMNS = ("search_words", "caller_key", "phone_tail")

_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
_NOT_DIGIT = re.compile(r"\D")
# the shortest digit string read as a whole phone number (a local number has 8 digits, a mobile 11)
PHONE_MIN_DIGITS = 7


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_chinese(run: str) -> bool:
    return run[0] > "\u4dff"


# the longest piece of a run of Chinese characters stored whole: most Chinese words have 2 to 4
# characters, so most searched words are one stored word (which the planner can estimate)
LONGEST = 4


def pieces(run: str) -> list[str]:
    """The stored words of a run of Chinese characters: every piece of 2 to 4 characters (a single
    character alone stays itself), in text order."""
    size = len(run)
    if size < 2:
        return [run]
    out = []
    # 2, 3 and 4 characters (LONGEST) unrolled: the import computes this for every ticket
    for i in range(size - 1):
        out.append(run[i : i + 2])
        if i + 3 <= size:
            out.append(run[i : i + 3])
            if i + 4 <= size:
                out.append(run[i : i + 4])
    return out


def document_words(*texts: str) -> str:
    """A ticket's texts as stored in ``search_words``."""
    words: list[str] = []
    for run in _RUN.findall(normalise(" ".join(t for t in texts if t))):
        words += pieces(run) if _is_chinese(run) else [run]
    return " ".join(words)


def query_terms(text: str) -> list[list[str]]:
    """The terms of a search; a term is a list of stored words that must all be in a ticket. A
    Chinese run of 2 to 4 characters is one stored word; a longer one, its overlapping 4-character
    pieces; letters or digits, themselves. A single Chinese character among longer terms says
    little and is left out; alone, it is one term."""
    terms = []
    for run in _RUN.findall(normalise(text)):
        if _is_chinese(run) and len(run) > LONGEST:
            terms.append([run[i : i + LONGEST] for i in range(len(run) - LONGEST + 1)])
        else:
            terms.append([run])
    longer = [term for term in terms if len(term) > 1 or len(term[0]) > 1]
    return longer or terms


def phone_digits(phone: str) -> str:
    """The digits of a phone number, without the country code 86 of an 11-digit mobile."""
    digits = _NOT_DIGIT.sub("", normalise(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def caller_key(phone: str) -> str:
    """The keyed hash of a phone number ("" for none): equal for equal numbers, and not reversible
    without the key."""
    digits = phone_digits(phone)
    if not digits:
        return ""
    return hmac.new(settings.CALLER_KEY.encode(), digits.encode(), hashlib.sha256).hexdigest()[:32]


def phone_tail(phone: str) -> str:
    digits = phone_digits(phone)
    return digits[-4:] if len(digits) >= 4 else ""


def columns_for(content: str, address: str, phone: str) -> dict[str, str]:
    return {
        "search_words": document_words(content, address),
        "caller_key": caller_key(phone),
        "phone_tail": phone_tail(phone),
    }


def fill(ticket) -> None:
    """Set the derived columns on a ticket object (not saved)."""
    for name, value in columns_for(ticket.content, ticket.address, ticket.complainant_phone).items():
        setattr(ticket, name, value)


def refresh_search_columns(tickets, chunk: int = 5000) -> int:
    """Recompute the derived columns of a queryset of tickets (the set-based import, the backfill, a
    new ``CALLER_KEY``); returns how many rows were written. On PostgreSQL one ``UPDATE … FROM
    (VALUES …)`` per chunk; elsewhere ``bulk_update``."""
    model = tickets.model
    rows = tickets.order_by("pk").values_list("pk", *SOURCE_FIELDS)
    written = 0
    batch: list[tuple] = []

    def flush() -> int:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            with connection.cursor() as cursor:
                execute_values(
                    cursor.cursor if hasattr(cursor, "cursor") else cursor,
                    f"UPDATE {model._meta.db_table} AS t SET search_words = v.words, caller_key = v.key, "
                    "phone_tail = v.tail FROM (VALUES %s) AS v (id, words, key, tail) WHERE t.id = v.id",
                    batch,
                    page_size=len(batch),
                )
            return len(batch)
        objects = [model(pk=pk, search_words=words, caller_key=key, phone_tail=tail) for pk, words, key, tail in batch]
        return model.objects.bulk_update(objects, COLUMNS)

    for pk, content, address, phone in rows.iterator(chunk_size=chunk):
        columns = columns_for(content, address, phone)
        batch.append((pk, columns["search_words"], columns["caller_key"], columns["phone_tail"]))
        if len(batch) == chunk:
            written += flush()
            batch = []
    if batch:
        written += flush()
    return written
