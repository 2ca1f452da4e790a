"""Render static/favicon.svg into static/favicon.ico (16, 32 and 48 pixels) and the installed web app's
icons (static/icons/: 180 for iOS, 192 and 512, and a 512 "maskable" one with the safe-zone margin that
Android crops to a circle or a squircle) with the browser tests' Chromium.

The SVG is the source; run this after changing it: .venv/bin/python scripts/make-favicon.py
An ICO file may hold PNG images (every browser since 2008 reads them), so no image library is needed.
"""

import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 32, 48)
APP_ICONS = {"icon-180.png": 180, "icon-192.png": 192, "icon-512.png": 512}
MASKABLE = {"icon-maskable-512.png": 512}


def render_png(browser, svg: str, size: int) -> bytes:
    page = browser.new_page(viewport={"width": size, "height": size})
    page.set_content(
        f'<html><body style="margin:0">{svg.replace("<svg ", f"<svg width={size} height={size} ")}</body></html>'
    )
    png = page.screenshot(omit_background=True, clip={"x": 0, "y": 0, "width": size, "height": size})
    page.close()
    return png


def render_maskable(browser, svg: str, size: int) -> bytes:
    """The icon on its own colour, inside the central 80 % that every mask keeps."""
    page = browser.new_page(viewport={"width": size, "height": size})
    inner = int(size * 0.8)
    sized = svg.replace("<svg ", f"<svg width={inner} height={inner} ")
    page.set_content(
        f'<html><body style="margin:0;background:#154c8c;width:{size}px;height:{size}px;display:flex;'
        f'align-items:center;justify-content:center">{sized}</body></html>'
    )
    png = page.screenshot(clip={"x": 0, "y": 0, "width": size, "height": size})
    page.close()
    return png


def pack_ico(pngs: dict[int, bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, images = b"", b""
    for size, png in pngs.items():
        # width and height 0 mean 256; 32 bits per pixel; then the image's length and where it starts
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def main() -> int:
    svg = (ROOT / "static" / "favicon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        pngs = {size: render_png(browser, svg, size) for size in SIZES}
        icons = {name: render_png(browser, svg, size) for name, size in APP_ICONS.items()}
        icons |= {name: render_maskable(browser, svg, size) for name, size in MASKABLE.items()}
        browser.close()
    (ROOT / "static" / "favicon.ico").write_bytes(pack_ico(pngs))
    (ROOT / "static" / "icons").mkdir(exist_ok=True)
    for name, png in icons.items():
        (ROOT / "static" / "icons" / name).write_bytes(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
