"""Every page a browser test shows is checked with axe-core and photographed.

`Visitor.audit()` runs axe-core on the page in the tab and saves a full-page
screenshot. Serious and critical violations fail the test; lesser ones are
written next to the screenshot and reported as warnings. A test that lets a
page go by without auditing it fails when it ends, so no page escapes.

Any Content-Security-Policy violation in any page of the visit fails the test
too: Chromium logs each one to the console, and a `securitypolicyviolation`
listener (added before any page script runs) logs what Chromium might not.
"""

import json
import re
import warnings
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, ConsoleMessage, Frame, Page
from playwright.sync_api import Error as PlaywrightError

FAILING_IMPACTS = frozenset({"serious", "critical"})
CSP_VIOLATION = "Content Security Policy"
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("Content Security Policy violation: " + event.effectiveDirective
    + " blocked " + (event.blockedURI || "inline code") + " on " + event.documentURI);
});
"""
_AXE = Axe()


class AccessibilityWarning(UserWarning):
    """axe-core found moderate or minor problems on a page."""


class Visitor:
    """One person in one browser context: a tab, and the audit of each page it shows."""

    def __init__(self, context: BrowserContext, base_url: str, artifacts: Path) -> None:
        self.context = context
        self.base_url = base_url.rstrip("/")
        self.artifacts = artifacts
        self._csp_violations: list[str] = []
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        self.page = context.new_page()
        self._shown: list[str] = []
        self._audits = 0
        self.page.on("framenavigated", self._navigated)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and CSP_VIOLATION in message.text:
            self._csp_violations.append(message.text)

    def _navigated(self, frame: Frame) -> None:
        if frame.parent_frame is None:
            self._shown.append(frame.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        """The tab's current path and query, e.g. `/dashboard?checkout=success`."""
        return self.page.url.removeprefix(self.base_url)

    def open(self, path: str) -> Page:
        """Open a page of the app by path, and audit it."""
        self.page.goto(self.url(path))
        self.audit()
        return self.page

    def arrive(self, path_pattern: str) -> Page:
        """Wait until an action lands on a page matching the regex, then audit it."""
        self.page.wait_for_url(re.compile(re.escape(self.base_url) + path_pattern))
        self.audit()
        return self.page

    def _screenshot(self, path: Path) -> None:
        """A full-page screenshot for the CI artifact; Chromium under load sometimes
        refuses one (Page.captureScreenshot), so try again, then warn, never fail."""
        for attempt in range(3):
            try:
                self.page.screenshot(path=path, full_page=True)
                return
            except PlaywrightError as error:
                if attempt == 2:
                    warnings.warn(f"no screenshot of {self.path()}: {error}", stacklevel=3)

    def assert_no_csp_violations(self) -> None:
        assert not self._csp_violations, "blocked by the Content-Security-Policy:\n" + "\n".join(
            self._csp_violations
        )

    def audit(self) -> None:
        self.page.wait_for_load_state()
        self.assert_no_csp_violations()
        skipped = self._shown[:-1]
        assert not skipped, f"pages shown but never audited: {skipped}"
        self._shown.clear()
        self._audits += 1
        stem = f"{self._audits:02d}-{_slug(self.path())}"
        self._screenshot(self.artifacts / f"{stem}.png")
        violations: list[dict[str, Any]] = _AXE.run(self.page).response["violations"]
        if not violations:
            return
        (self.artifacts / f"{stem}.axe.json").write_text(json.dumps(violations, indent=2))
        failing = [item for item in violations if item["impact"] in FAILING_IMPACTS]
        assert not failing, f"axe-core on {self.path()}:\n" + _describe(failing)
        warnings.warn(
            f"axe-core on {self.path()}:\n{_describe(violations)}",
            AccessibilityWarning,
            stacklevel=2,
        )

    def finish(self) -> None:
        assert not self._shown, f"pages shown but never audited: {self._shown}"
        self.assert_no_csp_violations()


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  {item['id']} ({item['impact']}): {item['help']}; "
        + ", ".join(" ".join(node["target"]) for node in item["nodes"][:5])
        for item in violations
    )


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:40] or "home"
