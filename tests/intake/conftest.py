import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_messages():
    """Domain messages are asserted in English (the msgids); Chinese is checked where it is shown."""
    with translation.override("en"):
        yield
