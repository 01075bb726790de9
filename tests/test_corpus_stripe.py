"""The Stripe corpus still parses with stripe-python: every file, as Stripe would send it.

Each object is wrapped in the corpus's own event envelope, signed with Stripe's scheme
and read back through `StripeClient.construct_event`, the call the product's adapter
makes; `data.object` must come back as the SDK's class for it, with the fields the
adapter reads. The corpus README must name every file's source.
"""

import hashlib
import hmac
import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
import stripe

CORPUS = (
    Path(__file__).parent.parent
    / "template/src/{{package_name}}/billing"
    / "{% if payment_gateway == 'stripe' %}stripe{% endif %}/corpus"
)
SECRET = "whsec_corpus_test"
# The Stripe objects the product builds its events from: their SDK class, and the
# fields the adapter, the simulator or the tests read (they must exist in the source).
OBJECTS: dict[str, tuple[type[stripe.StripeObject], tuple[str, ...]]] = {
    "subscription": (
        stripe.Subscription,
        (
            "id",
            "status",
            "customer",
            "metadata",
            "items",
            "cancel_at",
            "cancel_at_period_end",
            "canceled_at",
            "ended_at",
            "trial_start",
            "trial_end",
            "created",
            "start_date",
        ),
    ),
    "subscription_item": (
        stripe.SubscriptionItem,
        ("id", "price", "quantity", "current_period_start", "current_period_end", "subscription"),
    ),
    "invoice": (
        stripe.Invoice,
        (
            "id",
            "customer",
            "customer_email",
            "status",
            "billing_reason",
            "amount_due",
            "amount_paid",
            "amount_remaining",
            "currency",
            "hosted_invoice_url",
            "next_payment_attempt",
            "parent",
        ),
    ),
    "checkout_session": (
        stripe.checkout.Session,
        (
            "id",
            "mode",
            "status",
            "payment_status",
            "client_reference_id",
            "customer",
            "customer_email",
            "customer_details",
            "payment_intent",
            "subscription",
            "metadata",
            "amount_total",
            "currency",
        ),
    ),
    "charge": (
        stripe.Charge,
        (
            "id",
            "amount",
            "amount_refunded",
            "currency",
            "customer",
            "metadata",
            "payment_intent",
            "receipt_url",
            "refunded",
            "disputed",
        ),
    ),
    "dispute": (
        stripe.Dispute,
        ("id", "amount", "charge", "currency", "payment_intent", "reason", "status"),
    ),
    "refund": (stripe.Refund, ("id", "amount", "charge", "payment_intent", "status")),
    "payment_intent": (
        stripe.PaymentIntent,
        ("id", "amount", "amount_received", "currency", "latest_charge", "metadata", "status"),
    ),
    "customer": (stripe.Customer, ("id", "email", "metadata", "name")),
    "meter_event": (
        stripe.billing.MeterEvent,
        ("event_name", "identifier", "payload", "timestamp", "created"),
    ),
}


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((CORPUS / f"{name}.json").read_text())
    return data


def signed(event: dict[str, Any]) -> tuple[bytes, str]:
    body = json.dumps(event).encode()
    t = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={digest}"


def test_every_file_is_a_known_object_and_the_readme_names_it() -> None:
    names = sorted(path.stem for path in CORPUS.glob("*.json"))
    assert names == sorted([*OBJECTS, "event"])
    readme = (CORPUS / "README.md").read_text()
    assert "stripe/openapi" in readme
    assert "openapi/fixtures3.json" in readme
    assert re.search(r"commit\s+`[0-9a-f]{40}`", readme), "the README names no commit"
    for name in names:
        assert f"`{name}.json`" in readme, f"the corpus README does not name {name}.json"


def test_the_event_envelope_parses() -> None:
    event = stripe.Event.construct_from(load("event"), "sk_test_corpus")
    assert isinstance(event, stripe.Event)
    assert event.object == "event"
    for field in ("id", "type", "created", "data", "livemode", "api_version"):
        assert field in event


@pytest.mark.parametrize("name", sorted(OBJECTS))
def test_each_object_arrives_as_its_sdk_class_in_a_signed_event(name: str) -> None:
    cls, fields = OBJECTS[name]
    obj = load(name)
    if name == "subscription":  # its items are built from subscription_item.json
        obj["items"]["data"] = [load("subscription_item")]
    envelope = {**load("event"), "type": f"{obj['object']}.updated", "data": {"object": obj}}
    body, header = signed(envelope)

    event = stripe.StripeClient("sk_test_corpus").construct_event(body, header, SECRET)

    parsed = event.data.object
    assert type(parsed) is cls
    for field in fields:
        assert field in parsed, f"{name}.json has no {field}"
    if "id" in obj:  # a meter event has none: its identifier names it
        assert parsed["id"] == obj["id"]


def test_nested_objects_parse_as_their_classes() -> None:
    subscription = load("subscription")
    subscription["items"]["data"] = [load("subscription_item")]
    parsed = stripe.Subscription.construct_from(subscription, "sk_test_corpus")
    [item] = parsed["items"].data
    assert isinstance(item, stripe.SubscriptionItem)
    assert isinstance(item.price, stripe.Price)
    assert isinstance(item.current_period_end, int)
    invoice = stripe.Invoice.construct_from(load("invoice"), "sk_test_corpus")
    assert invoice.parent is not None
    assert "subscription_details" in invoice.parent
    assert "subscription" in invoice.parent.subscription_details
    session = stripe.checkout.Session.construct_from(load("checkout_session"), "sk_test_corpus")
    assert session.customer_details is not None
    assert "email" in session.customer_details
    dispute = stripe.Dispute.construct_from(load("dispute"), "sk_test_corpus")
    assert dispute.status in {
        "warning_needs_response",
        "warning_under_review",
        "warning_closed",
        "needs_response",
        "under_review",
        "won",
        "lost",
        "prevented",
    }
