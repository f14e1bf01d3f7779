"""Configuration errors name the variable and what is expected, never the secret."""

from __future__ import annotations

import base64

import pytest

from service.config import ConfigError, load_settings

GOOD_SECRET = "whsec_" + base64.b64encode(b"sixteen bytes!!!").decode()


def test_defaults_follow_the_contract() -> None:
    settings = load_settings({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.zoom_rate_limits == {"light": 30, "medium": 20, "heavy": 10}
    assert settings.calendly_api_base_url == "https://api.calendly.com"
    assert settings.zoom_oauth_token_url == "https://zoom.us/oauth/token"
    assert not settings.zoom_configured and not settings.calendly_configured


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(
            {
                "PORT": "eighty",
                "DATABASE_URL": "mysql://db/x",
                "ZOOM_RATE_LIMITS": "light=30,ultra=5",
                "LOG_LEVEL": "chatty",
                "ZOOM_CLIENT_ID": "only-one-of-three",
            }
        )
    problems = caught.value.problems
    assert len(problems) == 5
    assert any(p.startswith("PORT: expected a whole number") for p in problems)
    assert any(p.startswith("DATABASE_URL: expected a URL postgres://") for p in problems)
    assert any(p.startswith("ZOOM_RATE_LIMITS: unknown category 'ultra'") for p in problems)
    assert any(p.startswith("LOG_LEVEL: expected one of") for p in problems)
    assert any(
        p.startswith("ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET") for p in problems
    )


@pytest.mark.parametrize(
    "secret",
    [
        "whsec_____",  # decodes to nothing: every signature would be forgeable
        "whsec_abc",  # not base64 (padding)
        "whsec_" + base64.b64encode(b"fifteen bytes!!").decode(),
        "c2VjcmV0LXdpdGhvdXQtcHJlZml4LTEyMzQ1Ng==",
    ],
)
def test_booking_secrets_must_be_base64_keys_of_16_bytes(secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"BOOKING_WEBHOOK_SECRETS": f"{GOOD_SECRET},{secret}"})
    assert caught.value.problems == [
        "BOOKING_WEBHOOK_SECRETS: secret #2 must be whsec_<base64 of at least 16 bytes> "
        "(value not shown)"
    ]


def test_a_sixteen_byte_booking_secret_is_accepted() -> None:
    settings = load_settings({"BOOKING_WEBHOOK_SECRETS": GOOD_SECRET})
    assert [s.get_secret_value() for s in settings.booking_webhook_secrets] == [GOOD_SECRET]


def test_secrets_are_not_shown_when_the_settings_are_printed() -> None:
    settings = load_settings(
        {
            "BOOKING_WEBHOOK_SECRETS": GOOD_SECRET,
            "CALENDLY_API_TOKEN": "calendly-token-value",
            "CALENDLY_WEBHOOK_SIGNING_KEYS": "key-one, key-two",
            "ZOOM_ACCOUNT_ID": "a",
            "ZOOM_CLIENT_ID": "c",
            "ZOOM_CLIENT_SECRET": "zoom-secret-value",
            "ZOOM_WEBHOOK_SECRET_TOKEN": "zoom-webhook-value",
        }
    )
    shown = repr(settings) + str(settings.model_dump())
    for secret in (GOOD_SECRET, "calendly-token-value", "key-one", "zoom-secret-value"):
        assert secret not in shown
    assert "zoom-webhook-value" not in shown
    assert settings.zoom_configured and settings.calendly_configured
    keys = [k.get_secret_value() for k in settings.calendly_webhook_signing_keys]
    assert keys == ["key-one", "key-two"]


def test_a_public_base_url_is_taken_without_its_trailing_slash() -> None:
    settings = load_settings({"PUBLIC_BASE_URL": " https://sync.example.com/ "})
    assert settings.public_base_url == "https://sync.example.com"


@pytest.mark.parametrize("value", ["²", "٣", "1_0", " +5"])
def test_numbers_in_the_environment_are_ascii_digits(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"PORT": value})
    assert caught.value.problems[0].startswith("PORT: expected a whole number")


def test_public_base_url_defaults_to_host_and_port() -> None:
    settings = load_settings({"HOST": "0.0.0.0", "PORT": "9000"})  # noqa: S104
    assert settings.public_base_url == "http://0.0.0.0:9000"


def test_commands_other_than_up_require_database_and_redis() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}).require_services()
    assert [p.split(":")[0] for p in caught.value.problems] == ["DATABASE_URL", "REDIS_URL"]


def test_attendance_settings() -> None:
    assert load_settings({}).attendance_min_percent == 50
    assert not load_settings({}).push_no_shows
    assert load_settings({"CALENDLY_API_TOKEN": "t"}).push_no_shows
    off = {"CALENDLY_API_TOKEN": "t", "CALENDLY_PUSH_NO_SHOWS": "false"}
    assert not load_settings(off).push_no_shows
    with pytest.raises(ConfigError) as error:
        load_settings({"ATTENDANCE_MIN_PERCENT": "150", "CALENDLY_PUSH_NO_SHOWS": "maybe"})
    assert len(error.value.problems) == 2


def test_the_zoom_rate_margin_is_whole_milliseconds() -> None:
    assert load_settings({"ZOOM_RATE_MARGIN_MS": "25"}).zoom_rate_margin_ms == 25
    with pytest.raises(ConfigError) as caught:
        load_settings({"ZOOM_RATE_MARGIN_MS": "-5"})
    assert caught.value.problems == [
        "ZOOM_RATE_MARGIN_MS: expected a whole number 0–1000, got '-5'"
    ]
