"""The account area: download one's data, then delete the account."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .audit import Visitor
from .pages import follow, sign_in_with_dev_form

pytestmark = pytest.mark.e2e


def test_export_then_delete_the_account(visitor: Visitor) -> None:
    sign_in_with_dev_form(visitor, "noor@example.com")
    page = visitor.open("/account")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert "noor@example.com" in json.dumps(exported)

    confirm = page.locator("label", has_text="to confirm")
    account_name = confirm.locator("strong").inner_text()
    confirm.get_by_role("textbox").fill(account_name)
    follow(visitor, page.get_by_role("button", name="Delete my account"))
    expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()

    visitor.open("/dashboard")
    assert visitor.path().startswith("/login")
