import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Personas are created per test; the default PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    # Attachments are written under MEDIA_ROOT: keep each test's files in its own directory.
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
