"""What a person does on the site, one small helper per step, by role and accessible name.

Each helper leaves the visitor on the page the step ends on, audited. Tests read as
a story of these steps. A new flow is a helper here and a short test beside the
others: the simulated portal's buttons (cancel, fail the next payment) are
`portal_action`, so a past-due banner or resuming a canceled subscription is one
more step; pages of the account area (export, deletion) get helpers of their own.
"""

import re
import time

from playwright.sync_api import Locator, Page

from .audit import Visitor

MAIL_WAIT_SECONDS = 10.0


def follow(visitor: Visitor, control: Locator) -> Page:
    """Click a link or a submit button that loads a page, and audit that page."""
    with visitor.page.expect_navigation():
        control.click()
    visitor.audit()
    return visitor.page


def form_with(page: Page, control: Locator) -> Locator:
    """The form that holds `control` (forms have no accessible name to find them by)."""
    return page.locator("form").filter(has=control)


def sign_in_with_dev_form(visitor: Visitor, email: str, next_path: str = "/dashboard") -> Page:
    """The development sign-in on the login page: no email is sent."""
    page = visitor.open(f"/login?next={next_path}")
    form = form_with(page, page.get_by_role("heading", name="Development sign-in"))
    form.get_by_role("textbox", name="Email").fill(email)
    return follow(visitor, form.get_by_role("button", name="Sign in without email"))


def continue_with_dev_sign_in(visitor: Visitor, email: str) -> Page:
    """On the login page the app sent us to: sign in there, keeping its `next`."""
    page = visitor.page
    form = form_with(page, page.get_by_role("heading", name="Development sign-in"))
    form.get_by_role("textbox", name="Email").fill(email)
    return follow(visitor, form.get_by_role("button", name="Sign in without email"))


def sign_out(visitor: Visitor) -> Page:
    page = visitor.page
    return follow(visitor, page.get_by_role("button", name="Sign out"))


def wait_for_email(visitor: Visitor, recipient: str, subject: str | re.Pattern[str]) -> None:
    """Wait until the dev mailbox lists a message (jobs send email a moment later)."""
    pattern = subject if isinstance(subject, re.Pattern) else re.compile(re.escape(subject))
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while True:
        listing = visitor.context.request.get(visitor.url("/dev/mailbox")).text()
        if recipient in listing and pattern.search(listing):
            return
        assert time.monotonic() < deadline, f"no email {subject!r} to {recipient} arrived"
        time.sleep(0.1)


def open_email(visitor: Visitor, recipient: str, subject: str | re.Pattern[str]) -> Page:
    """Open the newest message to `recipient` with that subject in the dev mailbox."""
    wait_for_email(visitor, recipient, subject)
    page = visitor.open("/dev/mailbox")
    row = page.get_by_role("row").filter(has_text=recipient)
    return follow(visitor, row.get_by_role("link", name=subject).first)


def click_in_email(visitor: Visitor, link_name: str | re.Pattern[str]) -> Page:
    """Click a link in the open message's HTML part, as the recipient would."""
    preview = visitor.page.get_by_title("HTML part").content_frame
    return follow(visitor, preview.get_by_role("link", name=link_name))


def plan_card(page: Page, plan_name: str) -> Locator:
    return page.get_by_role("article").filter(
        has=page.get_by_role("heading", name=plan_name, exact=True)
    )


def start_checkout(visitor: Visitor, plan_name: str, button_name: str | re.Pattern[str]) -> Page:
    """From the billing page, choose a plan: lands on the (simulated) gateway checkout."""
    page = visitor.open("/billing")
    button = plan_card(page, plan_name).get_by_role("button", name=button_name).first
    return follow(visitor, button)


def pay_at_simulated_checkout(visitor: Visitor) -> Page:
    """Pay (or start the trial) on the development checkout; back on the dashboard."""
    page = visitor.page
    return follow(visitor, page.get_by_role("button", name=re.compile(r"^(Pay|Start trial)$")))


def subscribe(visitor: Visitor, plan_name: str, button_name: str | re.Pattern[str]) -> Page:
    """Checkout from the billing page through the simulator; ends on the dashboard."""
    start_checkout(visitor, plan_name, button_name)
    return pay_at_simulated_checkout(visitor)


def open_billing_portal(visitor: Visitor) -> Page:
    """The simulated gateway portal, through "Manage billing" on the billing page."""
    page = visitor.open("/billing")
    return follow(visitor, page.get_by_role("button", name="Manage billing"))


def portal_action(visitor: Visitor, button_name: str) -> Page:
    """Press a button of the simulated portal; the gateway's events are delivered at once."""
    return follow(visitor, visitor.page.get_by_role("button", name=button_name))
