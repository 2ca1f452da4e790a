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

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from intake.models import GONE, Category, Ticket
from org.models import Unit
from proactive.models import SuggestedField, TriageDecision, TriageModel, TriageSuggestion
from proactive.triage_model import (
    Example,
    co_units_for,
    current_model,
    load,
    rank,
)

log = logging.getLogger(__name__)

TRIAGE_EVENT = "triage_ticket"
DISPATCH_EVENT = "dispatch_ticket"


def _names(ids: set[int], street_id: int) -> tuple[dict[int, str], dict[int, str]]:
    units = dict(Unit.objects.filter(id__in=ids, street_id=street_id).values_list("id", "name"))
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
        routed = (
            Ticket.objects.filter(lead_unit__isnull=False, street_id=ticket.street_id).exclude(status__in=GONE).count()
        )
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
    # only the ticket's street's units are ever suggested (docs/district.md)
    street_units = set(Unit.objects.filter(street_id=ticket.street_id).values_list("id", flat=True))
    ranked = rank(fitted, example, units=street_units)
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
    helpers = [(unit, n) for unit, n in helpers if unit in street_units]
    ids.update(unit for unit, _n in helpers)
    ids.update(s.ticket.lead_unit_id for s in similar)
    ids.discard(None)
    units, categories = _names(ids, ticket.street_id)
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


def acceptance(since: datetime, until: datetime, *, street_ids: set[int] | None = None) -> list[dict]:
    """Per suggested field: decisions, accepted, rate (None without decisions), in one grouped query;
    with ``street_ids``, the decisions on those streets' tickets only."""
    decisions = TriageDecision.objects.filter(decided_at__gte=since, decided_at__lt=until)
    if street_ids is not None:
        decisions = decisions.filter(suggestion__ticket__street_id__in=street_ids)
    counts = {
        row["field"]: row
        for row in decisions.values("field").annotate(
            decided=Count("id"), accepted=Count("id", filter=Q(accepted=True))
        )
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
