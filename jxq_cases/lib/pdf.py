"""HTML to PDF for the documents we archive (the ticket file), with WeasyPrint.

WeasyPrint lays out HTML and CSS (``@page`` sizes, margins, page numbers) in-process with Pango, so
a PDF needs no browser and no server round trip, and the HTML print view and the PDF are one
template. It fetches nothing on its own: the fetcher below answers only the stored files the
document names (a note's photos), read from Django's storage, and refuses every other URL, so a
document cannot make the server fetch an address from the request text or anywhere else.

Chinese text needs a CJK font installed for fontconfig (Debian: ``fonts-noto-cjk``; the Dockerfile
installs it with Pango).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# WeasyPrint reports each layout step at INFO: not worth a log line per page
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# the document's own address: relative URLs (/media/…) resolve against it, and nothing is served there
BASE_URL = "http://document.invalid/"


class StoredFilesOnly(URLFetcher):
    """Answers the URL paths in ``files`` (path -> (storage name, content type)) from the storage."""

    def __init__(self, files: dict[str, tuple[str, str]]):
        super().__init__(allowed_protocols=("http",))
        self.files = files

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = unquote(parts.path)
        if f"{parts.scheme}://{parts.netloc}/" != BASE_URL or path not in self.files:
            raise ValueError(f"the document may not fetch {url}")
        name, content_type = self.files[path]
        with default_storage.open(name, "rb") as stored:
            body = stored.read()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})


def html_to_pdf(html: str, *, files: dict[str, tuple[str, str]] | None = None) -> bytes:
    """The PDF of ``html``; ``files`` are the stored files it may show (URL path -> name, type)."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=StoredFilesOnly(files or {})).write_pdf()
