"""Value lists the sample generator draws from (ASCII only, so e-mail addresses stay valid)."""

from __future__ import annotations

FIRST_NAMES: tuple[str, ...] = (
    "Ana",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemal",
    "Lena",
    "Marco",
    "Nadia",
    "Oscar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Li",
    "Sofia",
    "Mateo",
    "Amara",
)
LAST_NAMES: tuple[str, ...] = (
    "Ruiz",
    "Okafor",
    "Wei",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Novak",
    "Jansen",
    "Silva",
    "Berg",
    "Kowalski",
    "Murphy",
    "Nielsen",
    "Costa",
    "Meyer",
    "Fischer",
    "Garcia",
    "Martin",
    "Smith",
    "Khan",
    "Tanaka",
    "Moreau",
    "Larsen",
    "Horvat",
    "Popescu",
    "Ivanova",
    "Brown",
    "Lopez",
)
EMAIL_SEPARATORS: tuple[str, ...] = (".", "_", "")
EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com",
    "example.org",
    "example.net",
    "mail.example.com",
    "shop.example.co.uk",
)
NAME_PLACEHOLDERS: tuple[str, ...] = ("", "N/A", "unknown")

COUNTRIES: tuple[str, ...] = (
    "DE",
    "FR",
    "GB",
    "US",
    "NL",
    "ES",
    "IT",
    "PL",
    "SE",
    "CH",
    "AT",
    "BE",
    "IE",
    "DK",
    "CA",
)
COUNTRY_WEIGHTS: tuple[float, ...] = (
    0.20,
    0.12,
    0.14,
    0.16,
    0.06,
    0.06,
    0.05,
    0.04,
    0.03,
    0.03,
    0.03,
    0.02,
    0.02,
    0.02,
    0.02,
)
CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP", "CHF", "SEK")
EUR, USD, GBP, CHF, SEK = range(len(CURRENCIES))
CURRENCY_OF_COUNTRY: tuple[int, ...] = (
    EUR,
    EUR,
    GBP,
    USD,
    EUR,
    EUR,
    EUR,
    EUR,
    SEK,
    CHF,
    EUR,
    EUR,
    EUR,
    EUR,
    USD,
)

ORDER_STATUSES: tuple[str, ...] = (
    "placed",
    "paid",
    "shipped",
    "delivered",
    "refunded",
    "cancelled",
)
ORDER_STATUS_WEIGHTS: tuple[float, ...] = (0.05, 0.08, 0.14, 0.63, 0.05, 0.05)
INVALID_ORDER_STATUSES: tuple[str, ...] = ("pending", "returned", "on_hold", "lost")

EVENT_TYPES: tuple[str, ...] = (
    "page_view",
    "product_view",
    "add_to_cart",
    "checkout",
    "email_open",
    "support_ticket",
)
EVENT_TYPE_WEIGHTS: tuple[float, ...] = (0.45, 0.25, 0.10, 0.05, 0.12, 0.03)
EMAIL_OPEN = EVENT_TYPES.index("email_open")
BAD_EVENT_TYPE = "teleport"
"""An event type no contract allows, planted on one day by the `bad_event_day` breach."""
CHANNELS: tuple[str, ...] = ("web", "app", "email")
WEB, APP, EMAIL = range(len(CHANNELS))
