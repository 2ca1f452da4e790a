"""Every variable the settings read is in the README's production table, and every variable that
docker-compose.yml gives the app is one the settings read (or the table documents)."""

import re

from tests.project.production import ROOT, compose

SETTINGS = (ROOT / "jxq_cases" / "settings.py").read_text()
README = (ROOT / "README.md").read_text()
# the similarity and hot spot tuning has its own table, beside the measure it tunes
TUNING_DOC = (ROOT / "docs" / "proactive.md").read_text()
# the security settings that a deployment behind HTTPS sets (Django's own names)
HTTPS_VARIABLES = {
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "SESSION_COOKIE_AGE",
}


def read_by_settings() -> set[str]:
    return set(re.findall(r'env_(?:str|bool|int|float|list|time)\(\s*"([A-Z0-9_]+)"', SETTINGS))


def production_table() -> set[str]:
    section = README.split("\n## Production", 1)[1].split("\n## ", 1)[0]
    first_cells = re.findall(r"^\| ([^|]+) \|", section, flags=re.MULTILINE)
    return {name for cell in first_cells for name in re.findall(r"`([A-Z0-9_]+)`", cell)}


def passed_by_compose() -> set[str]:
    return set(compose()["x-app"]["environment"])


def in_tuning_doc(name: str) -> bool:
    """Named in full, or by its tail after a sibling (`PROACTIVE_WEIGHT_BASE` / `_CATEGORY`)."""
    parts = name.split("_")
    tails = ["_" + "_".join(parts[i:]) for i in range(2, len(parts))]
    return any(f"`{spelling}`" in TUNING_DOC for spelling in [name, *tails])


def test_every_variable_the_settings_read_is_documented():
    tuning = {name for name in read_by_settings() if name.startswith("PROACTIVE_")}
    assert tuning, "the proactive tuning variables were not found"
    assert read_by_settings() - tuning <= production_table(), "missing in README.md's production table"
    assert [name for name in sorted(tuning) if not in_tuning_doc(name)] == []


def test_compose_passes_the_security_variables_and_only_documented_ones():
    passed = passed_by_compose()
    assert passed >= HTTPS_VARIABLES
    assert passed <= production_table()
    assert passed <= read_by_settings(), "compose passes a variable that nothing reads"


def test_the_table_documents_nothing_that_does_not_exist():
    assert production_table() <= read_by_settings() | {"PORT", "WEB_CONCURRENCY", "POSTGRES_PASSWORD"}
