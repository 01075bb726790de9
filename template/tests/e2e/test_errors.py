"""Error pages are pages of the site, not bare text."""

import pytest
from playwright.sync_api import expect

from .audit import Visitor

pytestmark = pytest.mark.e2e


def test_unknown_page_is_a_404_in_the_site_layout(visitor: Visitor) -> None:
    response = visitor.page.goto(visitor.url("/no-such-page"))
    visitor.audit()
    assert response is not None
    assert response.status == 404
    page = visitor.page
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
