"""The one search (the header box, the workbench's text filter and ``GET /api/v1/tickets/?q=``).

What is searched follows from the shape of the text (docs/intake.md, "Search"):

- letters and digits: a ticket number, whole or its beginning (``ticket_no_prefix``);
- only digits (spaces, dashes and a leading +86 allowed): with ``tickets.search_personal``, also a
  phone — four digits are the last four (``phone_tail``), seven or more the whole number, compared by
  its keyed hash (``caller_key``);
- anything else with words: the words of the content and the address, each found where the text
  holds it (``search_vector`` on PostgreSQL, the stored words on SQLite) and, with
  ``tickets.search_personal``, the beginning of the complainant's name.

Each search by phone, and each by name that matches a complainant, is written to the personal-data
log (no ticket; the term masked). The
tickets searched are the caller's visible ones: a role sees no more through search than in its list.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.utils.translation import gettext as _

from dispatch import access
from dispatch.models import PersonalDataAccess
from intake.models import Ticket
from intake.search_columns import PHONE_MIN_DIGITS, caller_key, normalise, phone_digits, query_terms
from jxq_cases.lib import clock
from jxq_cases.lib.errors import DomainError, ErrorCode
from org.models import User

if TYPE_CHECKING:
    from dispatch.access import AnyUser

NUMBER = "number"
PHONE = "phone"
PHONE_TAIL = "phone_tail"
NAME = "name"
WORDS = "words"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TICKET_NO = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")
_PHONE = re.compile(r"\+?[0-9][0-9 -]*")
# a name as people give it: two to ten Chinese characters or Latin letters (张三, 张先生, Li Lei)
_NAME = re.compile(r"[\u4e00-\u9fffA-Za-z·. ]{2,10}")


@dataclass
class SearchResult:
    text: str
    tickets: QuerySet[Ticket]
    kinds: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # read a page newest first from the newest matches first (NewestWindowQuerySet)
    newest_window: bool = False


def clean_text(text: str) -> str:
    """The search as typed, without control characters and with single spaces; too short or too
    long is bad input (400 through the API, a message on the pages)."""
    text = " ".join(_CONTROL.sub(" ", text or "").split())
    if len(text) > settings.SEARCH_MAX_CHARS:
        raise DomainError(
            ErrorCode.INVALID,
            _("A search is at most %(n)d characters long; this one has %(m)d.")
            % {"n": settings.SEARCH_MAX_CHARS, "m": len(text)},
        )
    if len(text) < settings.SEARCH_MIN_CHARS:
        raise DomainError(
            ErrorCode.INVALID,
            _("Type at least %(n)d characters to search: a ticket number, a phone number or words of the request.")
            % {"n": settings.SEARCH_MIN_CHARS},
        )
    return text


# the newest visible tickets a search of several stored words looks at first, and how many of them
# must match for the list to be read newest first (docs/intake.md, "Search": "Several words")
DENSE_PROBE = 1000
DENSE_MATCHES = 10


# the recent windows of received_at (smallest first) one of which a search of several words reads a
# page newest first from, before it reads every match; the planner's estimate of the matches in the
# largest must reach WINDOW_MARGIN times the rows asked for (docs/intake.md, "Search": "The newest
# window first")
NEWEST_WINDOWS: tuple[dt.timedelta, ...] = (dt.timedelta(days=7), dt.timedelta(days=14), dt.timedelta(days=30))
WINDOW_MARGIN = 1.5


class NewestWindowQuerySet(QuerySet[Ticket]):
    """The tickets a search of several words finds. Read as a slice newest first (a page of the API,
    of the workbench newest first), it first asks the planner how many matches the largest of
    ``NEWEST_WINDOWS`` holds; it then reads the slice from the smallest window expected to hold
    ``WINDOW_MARGIN`` times the rows up to the slice's end (the expectation scaled by the windows'
    lengths), and from every match when no window is expected to, or when the window read does not
    fill the slice. A window that fills the slice holds its answer exactly: each match outside it was
    received earlier than all of those inside, so it would come after them.

    Everything else — another order, no slice, a count, ``exists``, a subquery — is the plain query."""

    _windows: tuple[dt.timedelta, ...] = ()

    def _clone(self) -> Any:
        copy = super()._clone()  # type: ignore[misc]
        copy._windows = self._windows
        return copy

    def _fetch_all(self) -> None:
        if self._result_cache is None and self._windows and self._reads_newest_slice():
            held = self.query.high_mark  # the rows a window must hold for the slice (any offset too)
            assert held is not None
            wanted = held - self.query.low_mark
            now = clock.now()
            largest = max(self._windows)
            expected = expected_rows(self._within(now - largest))
            for span in sorted(self._windows):
                if expected * (span / largest) >= WINDOW_MARGIN * held:
                    part = self._within(now - span)
                    rows = list(part._iterable_class(part))  # type: ignore[call-overload]
                    if len(rows) == wanted:
                        self._result_cache = rows
                    break
        super()._fetch_all()

    def _within(self, since: dt.datetime) -> NewestWindowQuerySet:
        """This query (sliced as it is) for the tickets received since ``since``."""
        part = self._clone()
        part._windows = ()
        part.query.add_q(Q(received_at__gte=since))
        return part

    def _reads_newest_slice(self) -> bool:
        query = self.query
        if query.high_mark is None or query.high_mark <= query.low_mark or query.combinator:
            return False
        if query.distinct_fields or query.extra_order_by or query.group_by is not None:
            return False
        if any(getattr(a, "contains_aggregate", False) for a in query.annotations.values()):
            return False
        ordering: list[Any] = list(query.order_by) or (
            list(self.model._meta.ordering or []) if query.default_ordering else []
        )
        if not ordering:
            return False
        first = ordering[0]
        if isinstance(first, OrderBy):
            return first.descending and isinstance(first.expression, F) and first.expression.name == "received_at"
        return first == "-received_at"


def expected_rows(tickets: QuerySet[Ticket]) -> float:
    """The planner's estimate of the rows ``tickets`` holds (its order and slice left out): one
    ``EXPLAIN``, planned, not run."""
    query = tickets.query.chain()
    query.clear_ordering(force=True)
    query.clear_limits()
    query.select_related = False  # the ticket rows alone: no joins to plan
    query.set_annotation_mask(())
    query.clear_select_fields()
    query.add_fields(["pk"])
    sql, params = query.get_compiler(tickets.db).as_sql()
    with connections[tickets.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def newest_window(tickets: QuerySet[Ticket]) -> NewestWindowQuerySet:
    """``tickets`` as a :class:`NewestWindowQuerySet` (the same query, filters and prefetches)."""
    windowed = tickets.all()  # a copy, whose class is then this one
    windowed.__class__ = NewestWindowQuerySet
    assert isinstance(windowed, NewestWindowQuerySet)
    windowed._windows = NEWEST_WINDOWS
    return windowed


def _words_condition(tickets: QuerySet[Ticket], terms: list[list[str]], found: SearchResult) -> Q:
    if connection.vendor == "postgresql":
        # the words hold only Chinese characters, letters and digits: nothing to quote in a tsquery
        words = [word for term in terms for word in term]
        query = " & ".join(words)
        # several words not dense: through the GIN index, a page newest first from the newest window
        found.newest_window = len(words) > 1
        if len(words) > 1 and _dense(tickets, query):
            found.newest_window = False  # the list is read newest first through its own index
            # one word (the longest) as the index's condition, which the planner estimates from its
            # statistics, and all of them as a function call, which it takes as true for a third of
            # the rows: a third of that word's tickets expected instead of the product of the words'
            # frequencies, so it reads the list in its own order and tests each row, unless the
            # other filters make the index the cheaper way
            matches = RawSQL(
                "search_vector @@ to_tsquery('simple'::regconfig, %s) "
                "AND ts_match_vq(search_vector, to_tsquery('simple'::regconfig, %s))",
                [max(words, key=len), query],
            )
        else:
            matches = RawSQL("search_vector @@ to_tsquery('simple'::regconfig, %s)", [query])
        return Q(ExpressionWrapper(matches, output_field=BooleanField()))
    # SQLite (make run): the stored words are scanned, slower; letters and digits match inside words too
    condition = Q()
    for word in (word for term in terms for word in term):
        condition &= Q(search_words__contains=word)
    return condition


def _dense(tickets: QuerySet[Ticket], query: str) -> bool:
    """Whether at least ``DENSE_MATCHES`` of the newest ``DENSE_PROBE`` tickets hold every word.

    PostgreSQL estimates several words as if each were independent of the others (the frequency of
    each multiplied), but the pieces of one long word (驼房营南里: 驼房营南 & 房营南里), or a place and
    its street, always come together: it expects a few hundred tickets where 20,000 match, reads
    them all through the index and sorts them for the newest page (0.2–0.4 s at 1,000,000 tickets).
    This bounded look at the newest tickets (it stops at the ``DENSE_MATCHES``-th match) tells a
    common search from a rare one."""
    newest = tickets.order_by("-received_at", "-id").annotate(
        _matches=RawSQL("search_vector @@ to_tsquery('simple'::regconfig, %s)", [query])
    )
    try:
        sql, params = newest.values("_matches")[:DENSE_PROBE].query.sql_with_params()
    except EmptyResultSet:  # nothing visible (a handler of no unit): nothing to read either way
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) AS newest WHERE newest._matches LIMIT %s) AS found",
            [*params, DENSE_MATCHES],
        )
        return cursor.fetchone()[0] >= DENSE_MATCHES


def log_context(kind: str) -> str:
    """The personal-data log's "where" of a search by phone, phone tail or name."""
    return f"search:{kind}"


def _log(user: AnyUser, kind: str, term: str) -> None:
    assert isinstance(user, User)  # only a signed-in user has tickets.search_personal
    PersonalDataAccess.objects.create(user=user, ticket=None, context=log_context(kind), term=term[:40])


def _matching_ids(found: SearchResult, condition: Q, what: str) -> list[int]:
    """The ids of the visible tickets an identifying search (number, phone, name) finds, read first
    through that search's own index: the list query then sorts a known handful of rows instead of
    letting the planner walk the whole table by date. More than ``SEARCH_MATCH_LIMIT``: not searched,
    and a notice asks for more of it (a ticket-number prefix of three letters would list the street)."""
    limit = settings.SEARCH_MATCH_LIMIT
    ids = list(found.tickets.filter(condition).order_by().values_list("pk", flat=True)[: limit + 1])
    if len(ids) > limit:
        found.notices.append(
            _("More than %(n)d tickets match “%(text)s” as %(what)s: type more of it.")
            % {"n": limit, "text": found.text, "what": what}
        )
        return []
    return ids


def search_tickets(user: AnyUser, text: str, tickets: QuerySet[Ticket] | None = None) -> SearchResult:
    """The tickets among ``tickets`` (default: all the user may see) that the text finds."""
    text = clean_text(text)
    tickets = access.visible_tickets(user) if tickets is None else tickets
    found = SearchResult(text=text, tickets=tickets)
    personal = access.may(user, "tickets.search_personal")
    ids: list[int] = []
    compact = normalise(text).replace(" ", "")
    if _TICKET_NO.fullmatch(compact):
        by_number = Q(pk__in=[])
        for prefix in dict.fromkeys((compact.upper(), compact)):  # as typed, and in capitals
            by_number |= Q(ticket_no__startswith=prefix)
        ids += _matching_ids(found, by_number, _("a ticket number"))
        found.kinds.append(NUMBER)
    if _PHONE.fullmatch(normalise(text)):
        digits = phone_digits(text)
        if len(digits) == 4 or len(digits) >= PHONE_MIN_DIGITS:
            if not personal:
                found.notices.append(
                    _(
                        "Searching by phone number is for the roles that may see complainants' data: "
                        "only ticket numbers were searched."
                    )
                )
            elif len(digits) == 4:
                _log(user, PHONE_TAIL, "*" * 4 + digits)
                ids += _matching_ids(found, Q(phone_tail=digits), _("the last four digits of a phone"))
                found.kinds.append(PHONE_TAIL)
            else:
                _log(user, PHONE, access.mask_phone(digits))
                ids += _matching_ids(found, Q(caller_key=caller_key(digits)), _("a phone number"))
                found.kinds.append(PHONE)
        elif found.kinds == [NUMBER]:
            found.notices.append(
                _("A phone number is searched whole or by its last four digits; only ticket numbers were searched.")
            )
        return _finish(found, Q(pk__in=ids))
    if personal and _NAME.fullmatch(text) and not text.isascii():
        # any few Chinese characters could be a name: it is searched, and logged, when one matches
        by_name = _matching_ids(found, Q(complainant_name__startswith=text), _("a name"))
        if by_name:
            ids += by_name
            found.kinds.append(NAME)
            _log(user, NAME, access.mask_name(text))
    condition = Q(pk__in=ids) if ids else Q(pk__in=[])
    terms = query_terms(text)
    if terms:
        condition |= _words_condition(found.tickets, terms, found)
        found.kinds.append(WORDS)
    if not found.kinds:
        raise DomainError(
            ErrorCode.INVALID,
            _("Nothing to search for in “%(text)s”: type a ticket number, a phone number or words of the request.")
            % {"text": text},
        )
    return _finish(found, condition)


def _finish(found: SearchResult, condition: Q) -> SearchResult:
    found.tickets = found.tickets.filter(condition)
    if found.newest_window:
        found.tickets = newest_window(found.tickets)
    return found
