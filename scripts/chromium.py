"""Debian's Chromium as Playwright launches it on these machines: for the browser tests, the
screenshots and the page-weight benchmark. Playwright cannot download its own browser here."""

EXECUTABLE = "/usr/bin/chromium"
# No sandbox (we run as root), no GPU, and none of the background traffic that this
# machine's closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch(playwright, **options):
    return playwright.chromium.launch(executable_path=EXECUTABLE, args=ARGS, **options)
