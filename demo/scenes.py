"""Today's work for every role: situations the demo makes sure exist at its end.

Left to chance, a small street may end its demo with no draft waiting for the principal or no
exclusion waiting for the city's decision. Each scene picks one ticket that arrived about ``age``
before the end, lets its story play briskly with the choices given, and stops it right before the
held step: so at the end the workflow shows that step waiting for its role. What the state then is
remains the workflow's (the scenes name actions and roles, never states).
"""

from demo.stories import DOUBLE_NO, Scene
from dispatch.workflow import (
    acknowledge_ticket,
    close_ticket,
    decide_extension,
    decide_send_back,
    record_exclusion_decision,
    reopen_for_second_handling,
    send_reply,
    sign_off_exclusion,
    sign_off_reply,
    submit_reply_draft,
    triage_ticket,
)
from intake.models import Supervision
from org.models import Role

HOUR, DAY = 3600, 86400
_PLAIN = (("exit", ""), ("returned", False), ("extension", False), ("take", False), ("supervise_late", False))

SCENES = [
    # the center: new tickets to triage, a send-back to decide, a reply to send, a visit to decide on,
    # a signed-off exclusion to submit upstream and record
    Scene("triage", 10 * 60, (triage_ticket,)),
    Scene("triage", 40 * 60, (triage_ticket,)),
    Scene("send-back request", DAY, (decide_send_back,), draws=(("exit", "ask_send_back"),)),
    Scene("reply to send", 4 * DAY, (send_reply,), draws=_PLAIN + (("key", False), ("supervision", ""))),
    Scene(
        "visit to decide on",
        10 * DAY,
        (reopen_for_second_handling, close_ticket),
        normal=True,
        draws=_PLAIN + (("first_visit", DOUBLE_NO),),
    ),
    Scene(
        "exclusion for the city",
        16 * DAY,
        (record_exclusion_decision,),
        normal=True,
        draws=_PLAIN + (("first_visit", DOUBLE_NO), ("rehandle", False), ("exclusion", True)),
    ),
    # the named handler (南路社区): a dispatch to acknowledge, a ticket due soon, one overdue
    Scene("to acknowledge", 3 * HOUR, (acknowledge_ticket,), lead="handler", draws=_PLAIN),
    Scene("due soon", 6 * DAY, (submit_reply_draft,), lead="handler", normal=True, draws=_PLAIN),
    Scene("overdue", 9 * DAY, (submit_reply_draft,), lead="handler", normal=True, draws=_PLAIN),
    # each section leader: a reply draft to sign and an extension to decide
    Scene(
        "draft for leader",
        20 * HOUR,
        (sign_off_reply,),
        Role.SECTION_LEADER,
        lead="leader",
        draws=_PLAIN + (("key", False), ("supervision", "")),
    ),
    Scene(
        "draft for leader2",
        20 * HOUR,
        (sign_off_reply,),
        Role.SECTION_LEADER,
        lead="leader2",
        draws=_PLAIN + (("key", False), ("supervision", "")),
    ),
    Scene(
        "extension for leader",
        4 * DAY,
        (decide_extension,),
        lead="leader",
        normal=True,
        draws=(("exit", ""), ("extension", True)),
    ),
    Scene(
        "extension for leader2",
        4 * DAY,
        (decide_extension,),
        lead="leader2",
        normal=True,
        draws=(("exit", ""), ("extension", True)),
    ),
    # each section leader and the principal: an exclusion request (with the chain leader → principal)
    *(
        Scene(
            f"exclusion for {lead}" + (" then principal" if role == Role.PRINCIPAL_LEADER else ""),
            16 * DAY,
            (sign_off_exclusion,),
            role,
            lead=lead,
            normal=True,
            draws=_PLAIN + (("first_visit", DOUBLE_NO), ("rehandle", False), ("exclusion", True)),
        )
        for lead, role in (
            ("leader", Role.SECTION_LEADER),
            ("leader2", Role.SECTION_LEADER),
            ("leader2", Role.PRINCIPAL_LEADER),
        )
    ),
    # the principal: a key ticket's reply after its section leader signed
    Scene(
        "draft for principal",
        4 * DAY,
        (sign_off_reply,),
        Role.PRINCIPAL_LEADER,
        lead="leader",
        draws=_PLAIN + (("key", True),),
    ),
    # the inspector and the leaders: a supervised ticket still in the unit's hands
    Scene("supervised", 2 * DAY, (submit_reply_draft,), draws=_PLAIN + (("supervision", Supervision.CITY),)),
]
