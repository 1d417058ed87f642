"""Screenshots of the running site for docs/screenshots/, at phone and desktop widths.

    make run                       # in one terminal
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000]

Needs Chromium (Debian: apt-get install chromium). Admin pages are shot when the environment
has ADMIN_USER and ADMIN_PASSWORD for a staff login.
"""

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLUG = "release-dr-wang-bingzhang"
PAGES = {
    "appeal": f"/{SLUG}/",
    "home": "/",
    "check-your-inbox": f"/{SLUG}/check-your-inbox/",
    "thank-you": f"/{SLUG}/thank-you/",
}
WIDTHS = {"phone": 375, "desktop": 1280}


def main(base: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for label, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES.items():
                page.goto(base + path)
                page.screenshot(path=OUT / f"{name}-{width}.png", full_page=(name == "appeal"))
                print("wrote", OUT / f"{name}-{width}.png", f"({label})")
            page.close()
        if os.environ.get("ADMIN_USER"):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/admin/login/")
            page.fill("#id_username", os.environ["ADMIN_USER"])
            page.fill("#id_password", os.environ["ADMIN_PASSWORD"])
            page.click("input[type=submit]")
            page.goto(base + "/admin/petitions/petition/")
            page.click("text=Release Dr. Wang Bingzhang")
            page.screenshot(path=OUT / "admin-petition-1280.png", full_page=True)
            print("wrote", OUT / "admin-petition-1280.png")
            page.locator(".campaign").screenshot(path=OUT / "admin-campaign-1280.png")
            print("wrote", OUT / "admin-campaign-1280.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")
