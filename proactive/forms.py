"""The forms of the proactive pages. They only parse what the user typed; who may do what and what
is allowed is decided by ``proactive.cases``."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jxq_cases.lib import clock
from org.models import Unit


class CaseFromHotSpotForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)


class MeasureForm(forms.Form):
    taken_on = forms.DateField(label=_("Taken on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}))
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none(), required=False)

    def __init__(self, *args, unit_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(id__in=unit_ids).order_by("name")
        self.fields["taken_on"].initial = clock.today()


class LinkTicketsForm(forms.Form):
    tickets = forms.CharField(
        label=_("Ticket numbers"),
        help_text=_("Separated by commas or spaces."),
        widget=forms.TextInput(attrs={"placeholder": "2026030212345, 2026030212346"}),
    )

    def clean_tickets(self) -> list[str]:
        # residents' ticket numbers are copied from many places: full-width commas and 、 included
        numbers = [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data["tickets"]) if n]
        if not numbers:
            raise forms.ValidationError(_("Name at least one ticket number."))
        return numbers


class CloseCaseForm(forms.Form):
    conclusion = forms.CharField(label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}))
