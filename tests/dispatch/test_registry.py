"""The action registry: every declaration complete, and what is derived from it in agreement with it.

A declaration missing a part, naming a serializer or form that does not exist or does not take the
function's inputs, a relation the access policy does not know, or a label without Chinese fails here
— at test time, not as a KeyError when someone presses the button."""

import inspect

import pytest
from django.core.management import call_command
from django.utils import translation

from dispatch import access
from dispatch.forms import ActionForm
from dispatch.management.commands.workflow_table import document, with_table
from dispatch.serializers import ActionSerializer
from dispatch.workflow import STEP_MODULES, registry
from dispatch.workflow.core import Step
from intake.models import Status

ACTIONS = registry.actions()


def test_there_is_one_declaration_per_public_step_function():
    declared = {a.function for a in ACTIONS}
    for module in STEP_MODULES:
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value) or value.__module__ != module.__name__:
                continue
            # a step function returns a Step; declared, the module holds its framed version
            if inspect.unwrap(value).__annotations__.get("return") in ("Step", Step):
                assert value in declared, f"{module.__name__}.{name} returns a Step but is not declared"
    # 27 actions: the eight steps and the other ways through them (docs/workflow.md)
    assert len(ACTIONS) == len({a.name for a in ACTIONS}) == 27


def test_every_action_is_exported_by_its_step_module_and_the_package():
    import dispatch.workflow as workflow

    for declared in ACTIONS:
        module = next(m for m in STEP_MODULES if m.__name__ == declared.function.__module__)
        assert declared.name in module.__all__, f"{declared.name} missing from {module.__name__}.__all__"
        assert getattr(workflow, declared.name) is declared.function
    assert len(workflow.__all__) == len(set(workflow.__all__))


@pytest.mark.parametrize("declared", ACTIONS, ids=lambda a: a.name)
def test_every_declaration_is_complete(declared):
    # the API name is the function's name, and the event kind is the API name
    assert declared.function.__name__ == declared.name == declared.event_kind
    assert declared.runs_from and declared.runs_from <= set(Status.values)
    assert declared.moves_to <= set(Status.values)
    assert declared.who and declared.who <= access.RELATIONS
    for text in (declared.label, declared.verb, declared.event_label):
        assert str(text).strip()
        with translation.override("zh-hans"):
            assert str(text) != _english(text), f"no Chinese for {_english(text)!r}"
    for condition in declared.ready:
        assert "%(ticket_no)s" in _english(condition.refusal)
    assert issubclass(declared.serializer, ActionSerializer)
    assert issubclass(declared.form, ActionForm)


@pytest.mark.parametrize("declared", ACTIONS, ids=lambda a: a.name)
def test_the_serializer_and_the_form_give_exactly_what_the_function_takes(declared):
    parameters = inspect.signature(inspect.unwrap(declared.function)).parameters
    inputs = {name for name, p in parameters.items() if p.kind == p.KEYWORD_ONLY} - {"actor", "now"}
    required = {n for n in inputs if parameters[n].default is inspect.Parameter.empty}
    serializer_fields = set(declared.serializer().fields) - {"action"}
    assert serializer_fields == inputs, declared.name
    form_fields = set(declared.form().fields) - {"form_token"}
    assert form_fields == inputs, declared.name
    assert {n for n, f in declared.serializer().fields.items() if f.required} - {"action"} <= required | {"files"}


def test_names_and_aliases_lead_to_one_action_each():
    seen = {}
    for declared in ACTIONS:
        for key in (declared.name, *declared.aliases):
            assert key not in seen, (key, seen.get(key))
            seen[key] = declared.name
            assert registry.find(key) is declared
    assert registry.find("teleport") is None and registry.find({"x": 1}) is None


def test_a_name_declared_twice_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        registry.action(
            "triage_ticket",
            label="x",
            verb="x",
            runs_from={Status.RECEIVED},
            who={access.CENTER},
            serializer="dispatch.serializers.EmptyAction",
            form="dispatch.forms.NoInputForm",
            event_label="x",
        )(lambda ticket, **kw: None)


def test_the_action_table_in_the_docs_is_the_generated_one():
    text = document().read_text(encoding="utf-8")
    assert with_table(text) == text, "run `manage.py workflow_table`"
    call_command("workflow_table", "--check", verbosity=0)


def test_every_event_kind_has_a_label():
    kinds = dict(registry.event_kinds())
    assert "receive" in kinds and "upstream_update" in kinds
    for declared in ACTIONS:
        assert kinds[declared.event_kind] == declared.event_label


def _english(text) -> str:
    with translation.override("en"):
        return str(text)
