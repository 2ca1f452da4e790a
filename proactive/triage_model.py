"""The triage assistant's model: the examples it learns from, the fitted classifiers, their signed
storage in ``TriageModel`` and the nightly training (``proactive.triage_assistant`` documents the whole
assistant and gives the suggestions and the acceptance rate)."""

from __future__ import annotations

import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from intake.models import GONE, Ticket
from proactive.models import SuggestedField, TriageModel
from proactive.similarity import _PLACE_REF, _bigrams, _place_names, normalise, segment

log = logging.getLogger(__name__)

_HMAC_SALT = "proactive.triage_assistant.model"


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


def _rank(model, document: str, top: int = 3, allowed: set[int] | None = None) -> Ranked:
    vectorizer, classifier = model.steps[0][1], model.steps[-1][1]
    vector = vectorizer.transform([document])
    probabilities = classifier.predict_proba(vector)[0]
    order = [i for i in probabilities.argsort()[::-1] if allowed is None or int(classifier.classes_[i]) in allowed]
    if not order:
        return Ranked(classes=[])
    classes = [(int(classifier.classes_[i]), float(probabilities[i])) for i in order[:top]]
    # why the first: the features of this ticket with the largest weight x value for its class
    best = order[0]
    coef = classifier.coef_[0 if classifier.coef_.shape[0] == 1 else best]
    sign = -1 if classifier.coef_.shape[0] == 1 and best == 0 else 1
    names = vectorizer.get_feature_names_out()
    row = vector.tocoo()
    weighed = sorted(((sign * coef[j] * v, names[j]) for j, v in zip(row.col, row.data, strict=True)), reverse=True)
    return Ranked(classes=classes, evidence=[name for weight, name in weighed if weight > 0][:6])


def rank(fitted: Fitted, example: Example, top: int = 3, units: set[int] | None = None) -> dict[str, Ranked]:
    """For each field, the ``top`` most probable values for ``example`` (a ticket not yet routed).

    The lead unit is ranked with the ticket's community and category, or the suggested ones when the
    ticket has none. With ``units`` (the ticket's street's, docs/district.md), a community or lead
    unit outside them is never ranked, however probable: a model fitted on several streets names
    only the ticket's street's units, each with its own probability."""
    out: dict[str, Ranked] = {}
    docs = _documents(example, None, None)
    for name in (SuggestedField.COMMUNITY, SuggestedField.CATEGORY):
        model = fitted.classifiers.get(name)
        allowed = units if name == SuggestedField.COMMUNITY else None
        out[name] = _rank(model, docs[name], top, allowed) if model is not None else Ranked(classes=[])
    community = example.community_id
    if community is None and out[SuggestedField.COMMUNITY].classes:
        community = out[SuggestedField.COMMUNITY].classes[0][0]
    category = example.category_id
    if category is None and out[SuggestedField.CATEGORY].classes:
        category = out[SuggestedField.CATEGORY].classes[0][0]
    model = fitted.classifiers.get(SuggestedField.LEAD_UNIT)
    lead_doc = _documents(example, community, category)[SuggestedField.LEAD_UNIT]
    out[SuggestedField.LEAD_UNIT] = _rank(model, lead_doc, top, units) if model is not None else Ranked(classes=[])
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
