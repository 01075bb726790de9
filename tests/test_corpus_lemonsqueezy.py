"""The Lemon Squeezy corpus still has the shapes Lemon Squeezy's own SDK declares.

Lemon Squeezy has no Python SDK and no OpenAPI document, so the shapes below are
recorded by hand from the TypeScript types of its official SDK,
`lmsqueezy/lemonsqueezy.js` at commit b1f66e905ee0614be87c3711d6529f2582e5729f
(v4.0.0): the attribute names of each type, and the values of its string unions.
A corpus file may leave attributes out (it is trimmed), but every key it keeps must be
one the type declares, and every enumerated value one the type allows. No rendering.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest

CORPUS = (
    Path(__file__).parent.parent
    / "template/src/{{package_name}}/billing"
    / "{% if payment_gateway == 'lemonsqueezy' %}lemonsqueezy{% endif %}/corpus"
)
SOURCE_COMMIT = "b1f66e905ee0614be87c3711d6529f2582e5729f"

# src/subscriptions/types.ts: type Attributes, FirstSubscriptionItem, Pause, SubscriptionStatus.
SUBSCRIPTION = {
    "store_id", "customer_id", "order_id", "order_item_id", "product_id", "variant_id",
    "product_name", "variant_name", "user_name", "user_email", "status", "status_formatted",
    "card_brand", "card_last_four", "pause", "cancelled", "trial_ends_at", "billing_anchor",
    "first_subscription_item", "urls", "renews_at", "ends_at", "created_at", "updated_at",
    "test_mode",
}  # fmt: skip
# `payment_processor` is on the Subscription object page ("Returns stripe or paypal") but
# not (yet) in the SDK's type: the only key allowed beyond it.
SUBSCRIPTION_DOCUMENTED_ONLY = {"payment_processor"}
FIRST_SUBSCRIPTION_ITEM = {
    "id", "subscription_id", "price_id", "quantity", "is_usage_based", "created_at", "updated_at",
}  # fmt: skip
SUBSCRIPTION_URLS = {
    "update_payment_method",
    "customer_portal",
    "customer_portal_update_subscription",
}
PAUSE = {"mode", "resumes_at"}
PAUSE_MODES = {"void", "free"}
SUBSCRIPTION_STATUSES = {
    "on_trial", "active", "paused", "pause", "past_due", "unpaid", "cancelled", "expired",
}  # fmt: skip
CARD_BRANDS = {"visa", "mastercard", "amex", "discover", "jcb", "diners", "unionpay"}

# src/orders/types.ts: type Attributes, FirstOrderItem, OrderStatus.
ORDER = {
    "store_id", "customer_id", "identifier", "order_number", "user_name", "user_email",
    "currency", "currency_rate", "subtotal", "setup_fee", "discount_total", "tax", "total",
    "refunded_amount", "subtotal_usd", "setup_fee_usd", "discount_total_usd", "tax_usd",
    "total_usd", "refunded_amount_usd", "tax_name", "tax_rate", "tax_inclusive", "status",
    "status_formatted", "refunded", "refunded_at", "subtotal_formatted", "setup_fee_formatted",
    "discount_total_formatted", "tax_formatted", "total_formatted", "refunded_amount_formatted",
    "first_order_item", "urls", "created_at", "updated_at", "test_mode",
}  # fmt: skip
FIRST_ORDER_ITEM = {
    "id", "order_id", "product_id", "variant_id", "price_id", "quantity", "product_name",
    "variant_name", "price", "created_at", "updated_at", "test_mode",
}  # fmt: skip
ORDER_URLS = {"receipt"}
ORDER_STATUSES = {"pending", "failed", "paid", "refunded", "fraudulent"}

# src/subscriptionInvoices/types.ts: type Attributes, InvoiceStatus, InvoiceBillingReason.
SUBSCRIPTION_INVOICE = {
    "store_id", "subscription_id", "customer_id", "user_name", "user_email", "billing_reason",
    "card_brand", "card_last_four", "currency", "currency_rate", "status", "status_formatted",
    "refunded", "refunded_at", "subtotal", "discount_total", "tax", "tax_inclusive", "total",
    "refunded_amount", "refunded_amount_usd", "refunded_amount_formatted", "subtotal_usd",
    "discount_total_usd", "tax_usd", "total_usd", "subtotal_formatted",
    "discount_total_formatted", "tax_formatted", "total_formatted", "urls", "created_at",
    "updated_at", "test_mode",
}  # fmt: skip
INVOICE_URLS = {"invoice_url"}
INVOICE_STATUSES = {"pending", "paid", "void", "refunded"}
BILLING_REASONS = {"initial", "renewal"}

# src/customers/types.ts: type Attributes, MarketingStatus.
CUSTOMER = {
    "store_id", "name", "email", "status", "city", "region", "country",
    "total_revenue_currency", "mrr", "status_formatted", "country_formatted",
    "total_revenue_currency_formatted", "mrr_formatted", "urls", "created_at", "updated_at",
    "test_mode",
}  # fmt: skip
CUSTOMER_STATUSES = {
    "subscribed", "unsubscribed", "archived", "requires_verification", "invalid_email", "bounced",
}  # fmt: skip

# src/subscriptionItems/types.ts: type Attributes.
SUBSCRIPTION_ITEM = {
    "subscription_id", "price_id", "quantity", "is_usage_based", "created_at", "updated_at",
}  # fmt: skip

# src/types/response/data.ts: Data<A, R> = {type, id, attributes, relationships, links}.
RESOURCE = {"type", "id", "attributes", "relationships", "links"}
# src/webhooks/types.ts: type Events (what a webhook can be subscribed to).
WEBHOOK_EVENTS = {
    "order_created", "order_refunded", "subscription_created", "subscription_updated",
    "subscription_cancelled", "subscription_resumed", "subscription_expired",
    "subscription_paused", "subscription_unpaused", "subscription_payment_success",
    "subscription_payment_failed", "subscription_payment_recovered",
    "subscription_payment_refunded", "license_key_created", "license_key_updated",
}  # fmt: skip

ISO_8601 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
TIMES = {"created_at", "updated_at", "renews_at", "ends_at", "trial_ends_at", "refunded_at"}


def load(name: str) -> Any:
    return json.loads((CORPUS / name).read_text())


def resource(name: str, type_: str, attributes: set[str]) -> dict[str, Any]:
    document = load(name)
    assert set(document) <= RESOURCE, f"{name}: not a JSON:API resource"
    assert document["type"] == type_
    assert isinstance(document["id"], str)
    unknown = set(document["attributes"]) - attributes
    assert unknown == set(), f"{name}: {sorted(unknown)} are not attributes of the SDK's type"
    for key, value in document["attributes"].items():
        if key in TIMES and value is not None:
            assert ISO_8601.match(value), f"{name}: {key} {value!r} is not ISO 8601 in UTC"
    attrs: dict[str, Any] = document["attributes"]
    return attrs


def test_subscription() -> None:
    attrs = resource(
        "subscription.json", "subscriptions", SUBSCRIPTION | SUBSCRIPTION_DOCUMENTED_ONLY
    )
    assert attrs["status"] in SUBSCRIPTION_STATUSES
    assert attrs["card_brand"] in CARD_BRANDS | {None}
    assert set(attrs["first_subscription_item"]) <= FIRST_SUBSCRIPTION_ITEM
    assert set(attrs["urls"]) <= SUBSCRIPTION_URLS
    assert attrs["pause"] is None  # an active subscription: `null` unless paused
    # What the adapter reads from a subscription is all there.
    assert {"customer_id", "variant_id", "user_email", "status", "cancelled", "renews_at",
            "ends_at", "trial_ends_at", "first_subscription_item", "urls", "updated_at",
            "pause"} <= set(attrs)  # fmt: skip
    assert {"id", "quantity"} <= set(attrs["first_subscription_item"])


def test_pause() -> None:
    pause = load("pause.json")
    assert set(pause) <= PAUSE
    assert pause["mode"] in PAUSE_MODES
    assert pause["resumes_at"] is None or ISO_8601.match(pause["resumes_at"])


def test_order() -> None:
    attrs = resource("order.json", "orders", ORDER)
    assert attrs["status"] in ORDER_STATUSES
    assert set(attrs["first_order_item"]) <= FIRST_ORDER_ITEM
    assert set(attrs["urls"]) <= ORDER_URLS
    assert {"customer_id", "user_email", "status", "refunded", "refunded_amount", "total",
            "currency", "first_order_item", "urls", "updated_at"} <= set(attrs)  # fmt: skip


def test_subscription_invoice() -> None:
    attrs = resource("subscription_invoice.json", "subscription-invoices", SUBSCRIPTION_INVOICE)
    assert attrs["status"] in INVOICE_STATUSES
    assert attrs["billing_reason"] in BILLING_REASONS
    assert set(attrs["urls"]) <= INVOICE_URLS
    assert {"subscription_id", "customer_id", "total", "currency", "urls", "updated_at"} <= set(
        attrs
    )


def test_customer() -> None:
    attrs = resource("customer.json", "customers", CUSTOMER)
    assert attrs["status"] in CUSTOMER_STATUSES
    assert set(attrs["urls"]) == {"customer_portal"}


def test_subscription_item() -> None:
    attrs = resource("subscription_item.json", "subscription-items", SUBSCRIPTION_ITEM)
    assert {"subscription_id", "quantity"} <= set(attrs)


def test_webhook_envelope() -> None:
    envelope = load("webhook.json")
    assert set(envelope) == {"meta"}  # code puts a resource in `data`
    assert set(envelope["meta"]) == {"event_name", "custom_data"}
    assert envelope["meta"]["event_name"] in WEBHOOK_EVENTS
    assert isinstance(envelope["meta"]["custom_data"], dict)


def test_every_corpus_file_is_checked_and_named_in_the_readme() -> None:
    readme = (CORPUS / "README.md").read_text()
    files = sorted(path.name for path in CORPUS.glob("*.json"))
    assert files == sorted(
        [
            "customer.json",
            "order.json",
            "pause.json",
            "subscription.json",
            "subscription_invoice.json",
            "subscription_item.json",
            "webhook.json",
        ]
    ), "a new corpus file needs its shape check here"
    for name in files:
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{name}` |")), None)
        assert row is not None, f"README.md does not name the source of {name}"
        assert "https://docs.lemonsqueezy.com/" in row or "given only as a type" in row
    named = set(re.findall(r"^\| `([a-z_]+\.json)` \|", readme, flags=re.MULTILINE))
    assert named == set(files), "README.md names a file that is not in the corpus"
    assert SOURCE_COMMIT in readme


@pytest.mark.parametrize("name", ["subscription.json", "order.json", "subscription_invoice.json"])
def test_corpus_files_are_what_the_docs_example_says_not_app_values(name: str) -> None:
    """The files hold Lemon Squeezy's example values; app values are set in code only."""
    text = (CORPUS / name).read_text()
    assert "account_id" not in text
    assert load(name)["id"] == "1"
