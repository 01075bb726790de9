"""The public pages, and signing in and out in the browser."""

import pytest
from playwright.sync_api import expect

from .audit import Visitor
from .pages import sign_in_with_dev_form, sign_out

pytestmark = pytest.mark.e2e


def test_development_sign_in_opens_the_dashboard_and_sign_out_ends_it(visitor: Visitor) -> None:
    page = visitor.open("/")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    visitor.open("/pricing")
    expect(page.get_by_role("heading", name="Pricing", level=1)).to_be_visible()

    sign_in_with_dev_form(visitor, "ada@example.com")
    assert visitor.path() == "/dashboard"
    expect(page.get_by_text("Signed in as ada@example.com")).to_be_visible()

    sign_out(visitor)
    assert visitor.path() == "/"
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(visitor.url("/dashboard"))
    visitor.audit()
    assert visitor.path().startswith("/login")
