"""Event kinds become the names of the workflow actions that write them (dispatch.workflow.registry):
the column loses its choices (a new action needs no migration) and grows to fit the longer names;
stored events are renamed, so the history reads the same after the upgrade."""

from django.db import migrations, models

RENAMED = {
    "triage": "triage_ticket",
    "dispatch": "dispatch_ticket",
    "acknowledge": "acknowledge_ticket",
    "refuse": "refuse_dispatch",
    "contact": "record_first_contact",
    "note": "add_handling_note",
    "submit_reply": "submit_reply_draft",
    "approve_reply": "sign_off_reply",
    "return_reply": "return_reply_draft",
    "reply": "send_reply",
    "visit": "record_return_visit",
    "reopen": "reopen_for_second_handling",
    "close": "close_ticket",
    "send_back": "send_back_ticket",
    "approve_send_back": "decide_send_back",
    "merge": "merge_ticket",
    "approve_extension": "decide_extension",
    "approve_exclusion": "sign_off_exclusion",
    "exclusion_decision": "record_exclusion_decision",
    "supervise": "set_supervision",
    "take": "take_ticket",
}


def rename(apps, pairs):
    TicketEvent = apps.get_model("dispatch", "TicketEvent")
    for old, new in pairs:
        TicketEvent.objects.filter(kind=old).update(kind=new)


def forwards(apps, schema_editor):
    rename(apps, RENAMED.items())


def backwards(apps, schema_editor):
    rename(apps, ((new, old) for old, new in RENAMED.items()))


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0005_used_form_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticketevent",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
