"""The owner's console: an operator signs in and reads every section, on a phone's width."""

import pytest
from playwright.sync_api import expect

from .audit import Visitor
from .conftest import OPERATOR
from .pages import follow, sign_in_with_dev_form

pytestmark = pytest.mark.e2e


def test_an_operator_reads_the_console(visitor: Visitor) -> None:
    visitor.page.set_viewport_size({"width": 390, "height": 844})
    sign_in_with_dev_form(visitor, OPERATOR, next_path="/ops")
    page = visitor.page
    expect(page.get_by_role("heading", name="Console")).to_be_visible()
    expect(page.get_by_role("img", name="New subscriptions")).to_be_visible()
    console = page.get_by_role("navigation", name="Console")
    for section in ("Webhooks", "Jobs and email", "Accounts"):
        follow(visitor, console.get_by_role("link", name=section))
        expect(page.get_by_role("heading", level=1)).to_have_text(section)
    page.get_by_role("searchbox").fill(OPERATOR)
    follow(visitor, page.get_by_role("button", name="Search"))
    follow(visitor, page.get_by_role("table").get_by_role("link").first)
    expect(page.get_by_text(f"{OPERATOR} (owner)")).to_be_visible()
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
