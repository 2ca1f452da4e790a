"""The triage assistant (智能派单): suggestions for the community, the category, the lead unit and the
co-handling units of a ticket, learned from the street's own history, each confirmed by a person.

Three linear classifiers (scikit-learn: TF-IDF over tokens, logistic regression) are fitted on the
tickets the center dispatched in the last ``PROACTIVE_TRIAGE_HISTORY_DAYS``:

- **community** from the words of the request and its address (place names, buildings, courtyards);
- **category** from the words;
- **lead unit** from the words, the address and the community and category of the ticket (the ones the
  ticket has, else the suggested ones);

co-handling units are counted, not learned: the units that helped in at least
``PROACTIVE_TRIAGE_CO_UNIT_SHARE`` of the earlier tickets of the suggested lead unit and category.

Each suggestion has a confidence (the classifier's probability) and its reasons: the words and place
that weigh most for it, and how the earlier similar tickets (``proactive.similar``) were routed. Below
``PROACTIVE_TRIAGE_MIN_TICKETS`` of history there is no model, and below
``PROACTIVE_TRIAGE_MIN_CONFIDENCE`` a field is left unsuggested: the panel says so instead of guessing.

The fitted classifiers are stored as a joblib blob in ``TriageModel`` with an HMAC keyed by
``SECRET_KEY``; a blob whose HMAC does not match is never unpickled. Retrained nightly by
``proactive.tasks.train_triage_model``. The center's answer to each suggested field is recorded as a
``TriageDecision`` tied to the triage or dispatch event (``record_decisions``, connected to the event's
``post_save``), and ``acceptance`` gives the rate.
"""

from __future__ import annotations

import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from intake.models import GONE, Category, Ticket
from org.models import Unit
from proactive.models import SuggestedField, TriageDecision, TriageModel, TriageSuggestion
from proactive.similarity import _PLACE_REF, _bigrams, _place_names, normalise, segment

log = logging.getLogger(__name__)

_HMAC_SALT = "proactive.triage_assistant.model"
TRIAGE_EVENT = "triage_ticket"
DISPATCH_EVENT = "dispatch_ticket"


@dataclass(frozen=True)
class Example:
    """One ticket as the assistant sees it: what it says, where, and how the center routed it."""

    content: str
    address: str = ""
    community_id: int | None = None
    category_id: int | None = None
    lead_unit_id: int | None = None
    co_unit_ids: tuple[int, ...] = ()
    received_at: datetime | None = None


# --- features ------------------------------------------------------------------------------------


def word_tokens(content: str) -> list[str]:
    return ["w:" + word for word in segment(normalise(content))]


def place_tokens(content: str, address: str) -> list[str]:
    """The place: the address's words and bigrams, and the buildings and place names the text names."""
    text = normalise(content)
    address = normalise(address)
    tokens = ["a:" + word for word in segment(address)]
    tokens += ["a:" + gram for gram in _bigrams(address)]
    tokens += ["p:" + ref for ref in _PLACE_REF.findall(address + " " + text)]
    tokens += ["p:" + name for name in _place_names().findall(address + " " + text)]
    return tokens


def _document(tokens: list[str]) -> str:
    return " ".join(tokens)


def _documents(example: Example, community_id: int | None, category_id: int | None) -> dict[str, str]:
    words = word_tokens(example.content)
    place = place_tokens(example.content, example.address)
    context = []
    if community_id is not None:
        context.append(f"c:{community_id}")
    if category_id is not None:
        context.append(f"k:{category_id}")
    return {
        SuggestedField.COMMUNITY: _document(words + place),
        SuggestedField.CATEGORY: _document(words),
        SuggestedField.LEAD_UNIT: _document(words + place + context * 3),
    }


def _pipeline():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    # tokens are prepared above ("w:早市", "a:12号楼", "c:7"): split on spaces only, keep them as they are
    vectorizer = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True, min_df=1)
    return make_pipeline(vectorizer, LogisticRegression(C=8.0, max_iter=2000))


# --- fitting and ranking (no database: the bench calls these on generated history) ---------------


@dataclass
class Fitted:
    """The fitted classifiers of one training (one per field; None when the history has one class)."""

    classifiers: dict[str, Any]
    co_units: dict[tuple[int, int | None], tuple[int, dict[int, int]]]
    counts: dict[str, int]
    ticket_count: int


def fit(examples: list[Example]) -> Fitted:
    """Fit the three classifiers and count the co-handling units of ``examples`` (earlier tickets)."""
    classifiers: dict[str, Any] = {}
    counts: dict[str, int] = {}
    targets = {
        SuggestedField.COMMUNITY: lambda e: e.community_id,
        SuggestedField.CATEGORY: lambda e: e.category_id,
        SuggestedField.LEAD_UNIT: lambda e: e.lead_unit_id,
    }
    documents = [_documents(e, e.community_id, e.category_id) for e in examples]
    for name, target in targets.items():
        pairs = [(doc[name], target(e)) for doc, e in zip(documents, examples, strict=True) if target(e) is not None]
        labels = {label for _doc, label in pairs}
        counts[name] = len(labels)
        if len(labels) < 2:
            classifiers[name] = None
            continue
        model = _pipeline()
        model.fit([doc for doc, _label in pairs], [label for _doc, label in pairs])
        classifiers[name] = model
    co_units: dict[tuple[int, int | None], tuple[int, dict[int, int]]] = {}
    grouped: dict[tuple[int, int | None], list[Example]] = defaultdict(list)
    for e in examples:
        if e.lead_unit_id is not None:
            grouped[(e.lead_unit_id, e.category_id)].append(e)
    for key, members in grouped.items():
        helpers = Counter(unit for e in members for unit in e.co_unit_ids if unit != key[0])
        co_units[key] = (len(members), dict(helpers))
    return Fitted(classifiers=classifiers, co_units=co_units, counts=counts, ticket_count=len(examples))


@dataclass
class Ranked:
    """The classes of one field, most probable first, with the tokens that weigh most for the first."""

    classes: list[tuple[int, float]]
    evidence: list[str] = field(default_factory=list)


def _rank(model, document: str, top: int = 3) -> Ranked:
    vectorizer, classifier = model.steps[0][1], model.steps[-1][1]
    vector = vectorizer.transform([document])
    probabilities = classifier.predict_proba(vector)[0]
    order = probabilities.argsort()[::-1]
    classes = [(int(classifier.classes_[i]), float(probabilities[i])) for i in order[:top]]
    # why the first: the features of this ticket with the largest weight x value for its class
    best = order[0]
    coef = classifier.coef_[0 if classifier.coef_.shape[0] == 1 else best]
    sign = -1 if classifier.coef_.shape[0] == 1 and best == 0 else 1
    names = vectorizer.get_feature_names_out()
    row = vector.tocoo()
    weighed = sorted(((sign * coef[j] * v, names[j]) for j, v in zip(row.col, row.data, strict=True)), reverse=True)
    return Ranked(classes=classes, evidence=[name for weight, name in weighed if weight > 0][:6])


def rank(fitted: Fitted, example: Example, top: int = 3) -> dict[str, Ranked]:
    """For each field, the ``top`` most probable values for ``example`` (a ticket not yet routed).

    The lead unit is ranked with the ticket's community and category, or the suggested ones when the
    ticket has none."""
    out: dict[str, Ranked] = {}
    docs = _documents(example, None, None)
    for name in (SuggestedField.COMMUNITY, SuggestedField.CATEGORY):
        model = fitted.classifiers.get(name)
        out[name] = _rank(model, docs[name], top) if model is not None else Ranked(classes=[])
    community = example.community_id
    if community is None and out[SuggestedField.COMMUNITY].classes:
        community = out[SuggestedField.COMMUNITY].classes[0][0]
    category = example.category_id
    if category is None and out[SuggestedField.CATEGORY].classes:
        category = out[SuggestedField.CATEGORY].classes[0][0]
    model = fitted.classifiers.get(SuggestedField.LEAD_UNIT)
    lead_doc = _documents(example, community, category)[SuggestedField.LEAD_UNIT]
    out[SuggestedField.LEAD_UNIT] = _rank(model, lead_doc, top) if model is not None else Ranked(classes=[])
    out["_category_used"] = Ranked(classes=[(category, 1.0)] if category is not None else [])
    return out


def co_units_for(fitted: Fitted, lead_unit_id: int, category_id: int | None) -> tuple[int, list[tuple[int, int]]]:
    """(earlier tickets of that lead unit and category, [(co-unit, times it helped)] above the share)."""
    total, helpers = fitted.co_units.get((lead_unit_id, category_id), (0, {}))
    share = settings.PROACTIVE_TRIAGE_CO_UNIT_SHARE
    chosen = [(unit, n) for unit, n in helpers.items() if total and n / total >= share and n >= 2]
    return total, sorted(chosen, key=lambda pair: -pair[1])


# --- storage: a signed blob in our own database ---------------------------------------------------


def _sign(blob: bytes) -> str:
    return salted_hmac(_HMAC_SALT, blob, algorithm="sha256").hexdigest()


def _library() -> str:
    import sklearn

    return f"scikit-learn {sklearn.__version__}"


def history(since: datetime, until: datetime) -> list[Example]:
    """The tickets the center routed in [since, until): two queries (tickets, their co-handlers)."""
    rows = list(
        Ticket.objects.filter(received_at__gte=since, received_at__lt=until, lead_unit__isnull=False)
        .exclude(status__in=GONE)
        .order_by("received_at", "id")
        .values_list("id", "content", "address", "community_id", "category_id", "lead_unit_id", "received_at")
    )
    helpers: dict[int, list[int]] = defaultdict(list)
    through = Ticket.co_units.through
    for ticket_id, unit_id in through.objects.filter(
        ticket__received_at__gte=since, ticket__received_at__lt=until, ticket__lead_unit__isnull=False
    ).values_list("ticket_id", "unit_id"):
        helpers[ticket_id].append(unit_id)
    return [
        Example(content, address or "", community, category, lead, tuple(sorted(helpers.get(pk, ()))), received)
        for pk, content, address, community, category, lead, received in rows
    ]


def train(now: datetime | None = None) -> TriageModel | None:
    """Fit on the last ``PROACTIVE_TRIAGE_HISTORY_DAYS`` and store the model; None (and nothing
    stored) when there are fewer than ``PROACTIVE_TRIAGE_MIN_TICKETS`` routed tickets."""
    import joblib

    now = now or timezone.now()
    since = now - timedelta(days=settings.PROACTIVE_TRIAGE_HISTORY_DAYS)
    examples = history(since, now)
    if len(examples) < settings.PROACTIVE_TRIAGE_MIN_TICKETS:
        log.info(
            "triage model not trained: %d routed tickets, %d needed",
            len(examples),
            settings.PROACTIVE_TRIAGE_MIN_TICKETS,
        )
        return None
    fitted = fit(examples)
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer, compress=3)
    blob = buffer.getvalue()
    model = TriageModel.objects.create(
        trained_at=now,
        history_from=since,
        history_until=now,
        ticket_count=len(examples),
        library=_library(),
        labels=fitted.counts,
        blob=blob,
        signature=_sign(blob),
    )
    # keep the latest few: suggestions name their model, and decisions their suggestion
    keep = TriageModel.objects.values_list("id", flat=True)[: settings.PROACTIVE_TRIAGE_KEEP_MODELS]
    TriageModel.objects.exclude(id__in=list(keep)).delete()
    log.info("triage model %d trained on %d tickets (%d KB)", model.pk, len(examples), len(blob) // 1024)
    return model


_loaded: dict[int, Fitted] = {}


class UntrustedModel(Exception):
    """A stored blob whose signature does not match: it was not written by this installation."""


def load(model: TriageModel) -> Fitted:
    """The fitted classifiers of ``model``, unpickled once per process and only when the HMAC matches."""
    import joblib

    if model.pk in _loaded:
        return _loaded[model.pk]
    blob = bytes(model.blob)
    if not constant_time_compare(_sign(blob), model.signature):
        raise UntrustedModel(f"triage model {model.pk}: signature mismatch, not loaded")
    if model.library != _library():
        raise UntrustedModel(f"triage model {model.pk} was written by {model.library}, not {_library()}")
    fitted = joblib.load(io.BytesIO(blob))
    _loaded.clear()  # one model in memory per process
    _loaded[model.pk] = fitted
    return fitted


def current_model() -> TriageModel | None:
    return TriageModel.objects.defer("blob").first()


# --- suggestions -------------------------------------------------------------------------------


def _names(ids: set[int]) -> tuple[dict[int, str], dict[int, str]]:
    units = dict(Unit.objects.filter(id__in=ids).values_list("id", "name"))
    categories = dict(Category.objects.filter(id__in=ids).values_list("id", "name"))
    return units, categories


def _evidence_reasons(evidence: list[str], units: dict[int, str], categories: dict[int, str]) -> list[str]:
    words = [token[2:] for token in evidence if token.startswith("w:")][:4]
    places = [token[2:] for token in evidence if token[:2] in ("p:", "a:") and len(token) > 3][:3]
    reasons = []
    if words:
        reasons.append(_("words: %(words)s") % {"words": "、".join(words)})
    if places:
        reasons.append(_("place: %(place)s") % {"place": "、".join(places)})
    for token in evidence:
        if token.startswith("c:") and int(token[2:]) in units:
            reasons.append(_("community: %(name)s") % {"name": units[int(token[2:])]})
            break
    for token in evidence:
        if token.startswith("k:") and int(token[2:]) in categories:
            reasons.append(_("category: %(name)s") % {"name": categories[int(token[2:])]})
            break
    return reasons


def _similar_reason(similar: list[tuple[str, int | None]], value: int, name: str) -> list[str]:
    agreeing = [no for no, v in similar if v == value]
    if not similar:
        return []
    return [
        _("%(agree)d of %(total)d earlier similar tickets: %(name)s (%(tickets)s)")
        % {"agree": len(agreeing), "total": len(similar), "name": name, "tickets": "、".join(agreeing[:3]) or "—"}
    ]


def suggest(ticket: Ticket, *, user) -> dict:
    """What the assistant suggests for ``ticket``, stored as a ``TriageSuggestion`` (once per ticket and
    model). Without a model: ``{"status": "insufficient_history", …}``."""
    from proactive.similar import similar_tickets

    model = current_model()
    if model is None:
        routed = Ticket.objects.filter(lead_unit__isnull=False).exclude(status__in=GONE).count()
        return {
            "ticket_no": ticket.ticket_no,
            "status": "insufficient_history",
            "detail": _(
                "Too little history to suggest anything: %(routed)d routed tickets, at least %(needed)d needed "
                "(the model is retrained nightly)."
            )
            % {"routed": routed, "needed": settings.PROACTIVE_TRIAGE_MIN_TICKETS},
            "model": None,
        }
    stored = TriageSuggestion.objects.filter(ticket=ticket, model=model).first()
    if stored is not None:
        return _response(ticket, model, stored.payload)
    fitted = load(model)
    example = Example(
        content=ticket.content,
        address=ticket.address,
        community_id=ticket.community_id,
        category_id=ticket.category_id,
    )
    ranked = rank(fitted, example)
    similar = similar_tickets(ticket, user=user, limit=10)
    ids = {ticket.community_id, ticket.category_id}
    for name in (SuggestedField.COMMUNITY, SuggestedField.CATEGORY, SuggestedField.LEAD_UNIT):
        ids.update(value for value, _p in ranked[name].classes)
    for token in (t for name in ranked for t in ranked[name].evidence):
        if token[:2] in ("c:", "k:"):
            ids.add(int(token[2:]))
    category_used = ranked["_category_used"].classes[0][0] if ranked["_category_used"].classes else None
    lead = ranked[SuggestedField.LEAD_UNIT].classes[0][0] if ranked[SuggestedField.LEAD_UNIT].classes else None
    total, helpers = co_units_for(fitted, lead, category_used) if lead is not None else (0, [])
    ids.update(unit for unit, _n in helpers)
    ids.update(s.ticket.lead_unit_id for s in similar)
    ids.discard(None)
    units, categories = _names(ids)
    floor = settings.PROACTIVE_TRIAGE_MIN_CONFIDENCE
    payload: dict[str, Any] = {}
    for name, names, of_similar in (
        (SuggestedField.COMMUNITY, units, lambda s: s.ticket.community_id),
        (SuggestedField.CATEGORY, categories, lambda s: s.ticket.category_id),
        (SuggestedField.LEAD_UNIT, units, lambda s: s.ticket.lead_unit_id),
    ):
        classes = [(value, p) for value, p in ranked[name].classes if value in names]
        alternatives = [{"id": v, "name": names[v], "confidence": round(p, 2)} for v, p in classes]
        if not classes or classes[0][1] < floor:
            payload[name] = {
                "id": None,
                "name": "",
                "confidence": round(classes[0][1], 2) if classes else 0.0,
                "reasons": [_("not enough evidence for a suggestion")],
                "alternatives": alternatives,
            }
            continue
        value, probability = classes[0]
        votes = [(s.ticket.ticket_no, of_similar(s)) for s in similar if of_similar(s) is not None]
        payload[name] = {
            "id": value,
            "name": names[value],
            "confidence": round(probability, 2),
            "reasons": _evidence_reasons(ranked[name].evidence, units, categories)
            + _similar_reason(votes, value, names[value]),
            "alternatives": alternatives,
        }
    if payload[SuggestedField.LEAD_UNIT]["id"] is not None and helpers:
        payload[SuggestedField.CO_UNITS] = {
            "units": [{"id": u, "name": units[u], "confidence": round(n / total, 2)} for u, n in helpers if u in units],
            "reasons": [
                _("%(n)d of %(total)d earlier tickets of this lead unit and category had %(units)s helping")
                % {"n": helpers[0][1], "total": total, "units": "、".join(units[u] for u, _n in helpers if u in units)}
            ],
        }
    else:
        payload[SuggestedField.CO_UNITS] = {"units": [], "reasons": [_("no co-handling unit usually helps here")]}
    try:
        with transaction.atomic():
            TriageSuggestion.objects.create(ticket=ticket, model=model, payload=payload)
    except IntegrityError:  # two panels asked at once: the first one's stands
        payload = TriageSuggestion.objects.get(ticket=ticket, model=model).payload
    return _response(ticket, model, payload)


def _response(ticket: Ticket, model: TriageModel, payload: dict) -> dict:
    return {
        "ticket_no": ticket.ticket_no,
        "status": "ok",
        "detail": "",
        "model": {"id": model.pk, "trained_at": model.trained_at, "ticket_count": model.ticket_count},
        **payload,
    }


# --- decisions and the acceptance rate ---------------------------------------------------------


def record_decisions(event) -> int:
    """Record the center's answer to the suggestion for the fields this triage/dispatch event settled.

    Only fields that were suggested and that the event settles count: the triage event the community
    and category, the dispatch event the lead unit and co-handling units. Returns how many were written."""
    if event.kind not in (TRIAGE_EVENT, DISPATCH_EVENT):
        return 0
    suggestion = (
        TriageSuggestion.objects.filter(ticket_id=event.ticket_id, created_at__lte=event.at)
        .only("id", "payload")
        .first()
    )
    if suggestion is None:
        return 0
    ticket = Ticket.objects.only("community_id", "category_id", "lead_unit_id").get(pk=event.ticket_id)
    payload = suggestion.payload
    rows = []
    if event.kind == TRIAGE_EVENT:
        for name, chosen in (
            (SuggestedField.COMMUNITY, ticket.community_id),
            (SuggestedField.CATEGORY, ticket.category_id),
        ):
            suggested = (payload.get(name) or {}).get("id")
            rows.append((name, suggested, chosen, suggested is not None and suggested == chosen))
    else:
        suggested = (payload.get(SuggestedField.LEAD_UNIT) or {}).get("id")
        rows.append((SuggestedField.LEAD_UNIT, suggested, ticket.lead_unit_id, suggested == ticket.lead_unit_id))
        wanted = sorted(u["id"] for u in (payload.get(SuggestedField.CO_UNITS) or {}).get("units", []))
        chosen_co = sorted(
            Ticket.co_units.through.objects.filter(ticket_id=event.ticket_id).values_list("unit_id", flat=True)
        )
        if wanted or chosen_co:
            rows.append((SuggestedField.CO_UNITS, wanted, chosen_co, wanted == chosen_co))
    already = set(TriageDecision.objects.filter(suggestion=suggestion).values_list("field", flat=True))
    new = [
        TriageDecision(
            suggestion=suggestion,
            field=name,
            suggested=suggested,
            chosen=chosen,
            accepted=bool(accepted),
            event=event,
            decided_at=event.at,
        )
        for name, suggested, chosen, accepted in rows
        if name not in already and suggested is not None
    ]
    TriageDecision.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def acceptance(since: datetime, until: datetime) -> list[dict]:
    """Per suggested field: decisions, accepted, rate (None without decisions), in one grouped query."""
    counts = {
        row["field"]: row
        for row in TriageDecision.objects.filter(decided_at__gte=since, decided_at__lt=until)
        .values("field")
        .annotate(decided=Count("id"), accepted=Count("id", filter=Q(accepted=True)))
    }
    out = []
    for name, label in SuggestedField.choices:
        row = counts.get(name, {"decided": 0, "accepted": 0})
        out.append(
            {
                "field": name,
                "label": label,
                "decided": row["decided"],
                "accepted": row["accepted"],
                "rate": round(row["accepted"] / row["decided"], 3) if row["decided"] else None,
            }
        )
    return out
