"""Display formats shared by pages and emails."""

from datetime import date, datetime
from decimal import Decimal

_CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹"}
# Currencies without minor units: gateways already count them in whole units.
_ZERO_DECIMAL_CURRENCIES = {"bif", "clp", "jpy", "krw", "pyg", "ugx", "vnd", "xaf", "xof"}


def format_money(amount_cents: int, currency: str) -> str:
    """`1900, "usd"` -> `$19`; `1950, "eur"` -> `€19.50`; `1900, "chf"` -> `19 CHF`."""
    code = currency.lower()
    if code in _ZERO_DECIMAL_CURRENCIES:
        amount = f"{amount_cents:,}"
    else:
        units = Decimal(amount_cents) / 100
        amount = f"{units:,.0f}" if amount_cents % 100 == 0 else f"{units:,.2f}"
    symbol = _CURRENCY_SYMBOLS.get(code)
    return f"{symbol}{amount}" if symbol else f"{amount} {code.upper()}"


def format_date(value: date | str) -> str:
    """A date, a datetime or an ISO 8601 string (as stored in job arguments) -> `1 March 2026`."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"
