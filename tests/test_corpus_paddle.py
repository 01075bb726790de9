"""Paddle's payload corpus still parses with Paddle's SDK, and holds what the adapter reads.

The generated product builds every simulated and test notification from these files
(billing/paddle/corpus/ in a Paddle product). If a file drifted from what Paddle
sends, the SDK's own entities would refuse it here, before any product is rendered.
Fast: the files are read from the template folder, nothing is rendered.
"""

import json
import re
from typing import Any

import pytest
from paddle_billing.Entities.Notifications import NotificationEvent
from paddle_billing.Entities.Subscription import Subscription as ApiSubscription
from paddle_billing.Notifications.Entities.Adjustment import Adjustment
from paddle_billing.Notifications.Entities.Customer import Customer
from paddle_billing.Notifications.Entities.Subscription import Subscription
from paddle_billing.Notifications.Entities.SubscriptionCreated import SubscriptionCreated
from paddle_billing.Notifications.Entities.Subscriptions import SubscriptionScheduledChange
from paddle_billing.Notifications.Entities.Transaction import Transaction

from .matrix import TEMPLATE_ROOT

CORPUS = (
    TEMPLATE_ROOT
    / "template/src/{{package_name}}/billing"
    / "{% if payment_gateway == 'paddle' %}paddle{% endif %}/corpus"
)


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / f"{name}.json").read_text())
    return data


# Each subscription file and the status Paddle gave it.
SUBSCRIPTIONS = {
    "subscription": "active",
    "subscription_trialing": "trialing",
    "subscription_paused": "paused",
    "subscription_canceled": "canceled",
}
TRANSACTIONS = ("transaction", "transaction_one_time", "transaction_past_due")


def test_every_file_is_named_in_the_readme_and_every_named_file_exists() -> None:
    readme = (CORPUS / "README.md").read_text()
    files = {path.name for path in CORPUS.glob("*.json")}
    named = set(re.findall(r"^\| `([a-z_]+\.json)` \|", readme, flags=re.MULTILINE))
    assert files == named
    assert "48c8cc04ecd5eb87b1861731bc56f7ec1abfe284" in readme  # the source's commit


@pytest.mark.parametrize(("name", "status"), SUBSCRIPTIONS.items())
def test_subscriptions_build_the_sdk_entity_with_what_the_adapter_reads(
    name: str, status: str
) -> None:
    data = load(name)
    entity = Subscription.from_dict(data)

    assert entity.status.value == status
    for key in ("id", "customer_id", "updated_at", "custom_data", "scheduled_change"):
        assert key in data
    [item] = data["items"]
    assert item["price"]["id"] == entity.items[0].price.id
    assert isinstance(item["quantity"], int)
    assert "trial_dates" in item
    if status in ("paused", "canceled"):
        assert data["current_billing_period"] is None
    else:
        assert set(data["current_billing_period"]) == {"starts_at", "ends_at"}


def test_a_trialing_subscription_dates_its_trial_on_the_item() -> None:
    item = load("subscription_trialing")["items"][0]
    assert item["status"] == "trialing"
    assert set(item["trial_dates"]) == {"starts_at", "ends_at"}


def test_subscription_created_carries_its_checkout_transaction() -> None:
    entity = SubscriptionCreated.from_dict(load("subscription_created"))
    assert entity.transaction_id.startswith("txn_")


def test_a_scheduled_change_has_an_action_and_its_date() -> None:
    data = load("scheduled_change")
    entity = SubscriptionScheduledChange.from_dict(data)
    assert entity.action.value in {"cancel", "pause", "resume"}
    assert set(data) == {"action", "effective_at", "resume_at"}


def test_the_api_answer_for_a_subscription_builds_the_api_entity() -> None:
    response = load("subscription_response")
    assert set(response) == {"data", "meta"}
    entity = ApiSubscription.from_dict(response["data"])
    assert entity.id.startswith("sub_")
    assert response["data"]["items"][0]["price"]["id"] == entity.items[0].price.id


@pytest.mark.parametrize("name", TRANSACTIONS)
def test_transactions_build_the_sdk_entity_and_items_name_their_price_by_object(
    name: str,
) -> None:
    data = load(name)
    entity = Transaction.from_dict(data)

    [item] = data["items"]
    # Paddle no longer returns `price_id` on items: the price is an object with its id.
    assert "price_id" not in item
    assert item["price"]["id"] == entity.items[0].price.id
    for key in ("id", "customer_id", "subscription_id", "origin", "custom_data", "updated_at"):
        assert key in data
    totals = data["details"]["totals"]
    assert totals["grand_total"].isdigit()
    assert totals["currency_code"] == data["currency_code"]


def test_the_one_time_transaction_sells_a_price_without_a_billing_cycle() -> None:
    assert load("transaction_one_time")["items"][0]["price"]["billing_cycle"] is None


def test_the_past_due_transaction_is_a_renewal() -> None:
    data = load("transaction_past_due")
    assert (data["origin"], data["status"]) == ("subscription_recurring", "past_due")


def test_the_adjustment_builds_the_sdk_entity_with_what_the_adapter_reads() -> None:
    data = load("adjustment")
    entity = Adjustment.from_dict(data)

    assert entity.action.value == "refund"
    assert entity.status.value == "pending_approval"
    for key in ("transaction_id", "customer_id", "currency_code", "type", "created_at"):
        assert key in data
    assert {"type", "amount"} <= set(data["items"][0])
    assert data["totals"]["total"].isdigit()


def test_the_customer_builds_the_sdk_entity() -> None:
    entity = Customer.from_dict(load("customer"))
    assert entity.email


def test_the_notification_envelope_builds_the_sdks_notification_event() -> None:
    data = load("event")
    event = NotificationEvent.from_dict(data)

    assert set(data) == {"event_id", "event_type", "occurred_at", "notification_id", "data"}
    assert event.event_type.value == data["event_type"]
    assert type(event.data).__name__ == "Customer"
