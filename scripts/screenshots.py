"""Screenshots of the running site for docs/screenshots/, at phone and desktop widths.

    make run                       # in one terminal
    .venv/bin/python scripts/screenshots.py [http://127.0.0.1:8000] [--all]

--all also shoots every other page (privacy, 404, a form with errors, French and Chinese)
into var/screenshots/ for review; the committed set in docs/screenshots/ stays small.

Needs Chromium (Debian: apt-get install chromium). Admin pages are shot when the environment
has ADMIN_USER and ADMIN_PASSWORD for a staff login, and ADMIN_OTP_KEY, the hex key of their
authenticator (django-otp's TOTPDevice.key), if they have a second factor.
"""

import os
import sys
from pathlib import Path

import chromium  # scripts/chromium.py, beside this file
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
REVIEW_OUT = ROOT / "var" / "screenshots"
SLUG = "release-dr-wang-bingzhang"
PAGES = {
    "appeal": f"/{SLUG}/",
    "home": "/",
    "check-your-inbox": f"/{SLUG}/check-your-inbox/",
    "thank-you": f"/{SLUG}/thank-you/",
}
# For review only (--all): (name, path, language).
REVIEW_PAGES = [
    ("privacy", "/privacy/", "en"),
    ("not-found", "/no-such-petition/", "en"),
    ("new-link", f"/{SLUG}/new-link/", "en"),
    ("bad-link", f"/{SLUG}/confirm/forged/", "en"),
    ("appeal-fr", f"/{SLUG}/", "fr"),
    ("appeal-zh", f"/{SLUG}/", "zh-hans"),
    ("thank-you-fr", f"/{SLUG}/thank-you/", "fr"),
]
WIDTHS = {"phone": 375, "desktop": 1280}


def shoot_review_pages(browser, base: str) -> None:
    REVIEW_OUT.mkdir(parents=True, exist_ok=True)
    for width in [320, *WIDTHS.values()]:
        for name, path, language in REVIEW_PAGES:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
            page = context.new_page()
            page.goto(base + path)
            page.screenshot(path=REVIEW_OUT / f"{name}-{width}.png", full_page=True)
            context.close()
        # A sign form sent empty: the error summary and the fields' messages.
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{base}/{SLUG}/")
        page.click("form[action$='/sign/'] button[type=submit]")
        page.screenshot(path=REVIEW_OUT / f"appeal-errors-{width}.png", full_page=True)
        page.close()
    print("wrote review screenshots to", REVIEW_OUT)


def main(base: str, review: bool = False) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = chromium.launch(p)
        for label, width in WIDTHS.items():
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES.items():
                page.goto(base + path)
                page.screenshot(path=OUT / f"{name}-{width}.png", full_page=(name == "appeal"))
                print("wrote", OUT / f"{name}-{width}.png", f"({label})")
            page.close()
        if review:
            shoot_review_pages(browser, base)
        if os.environ.get("ADMIN_USER"):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/admin/login/")
            page.fill("#id_username", os.environ["ADMIN_USER"])
            page.fill("#id_password", os.environ["ADMIN_PASSWORD"])
            if os.environ.get("ADMIN_OTP_KEY"):
                from django_otp.oath import totp

                key = bytes.fromhex(os.environ["ADMIN_OTP_KEY"])
                page.fill("#id_otp_token", f"{totp(key):06d}")
            page.click("input[type=submit]")
            page.goto(base + "/admin/petitions/petition/")
            page.click("text=Release Dr. Wang Bingzhang")
            page.screenshot(path=OUT / "admin-petition-1280.png", full_page=True)
            print("wrote", OUT / "admin-petition-1280.png")
            page.locator(".campaign").screenshot(path=OUT / "admin-campaign-1280.png")
            print("wrote", OUT / "admin-campaign-1280.png")
        browser.close()


if __name__ == "__main__":
    args = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    main(args[0].rstrip("/") if args else "http://127.0.0.1:8000", review="--all" in sys.argv)
