"""What intake tells the apps to its right without knowing them (docs/architecture.md: data flows one way)."""

from django.dispatch import Signal

# Sent once an import is committed, with ``kind`` ("tickets" or "visits") and ``street``: the
# reports fold the counts it changed into their monthly tallies (reporting.tally).
imported = Signal()
