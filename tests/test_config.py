from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from bot.config import SECRET_NAMES, ConfigError, Settings, load_settings, read_environment
from bot.config.table import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_are_the_seeds() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.router.base_url == "https://router.huggingface.co/v1"
    assert settings.router.models[0] == "openai/gpt-oss-120b"
    router = settings.router
    assert (router.max_tokens, router.temperature, router.top_p) == (400, 0.7, 0.9)
    assert settings.router.timeout == 60
    assert settings.router.api_key is None


def test_every_name_is_read() -> None:
    env = {
        "HUGGING_FACE_API_KEY": "hf_abc",
        "AI_BASE_URL": "http://127.0.0.1:9000/v1/",
        "AI_MODEL": "m/one",
        "AI_FALLBACK_MODELS": "m/two, m/three,,m/one",
        "AI_MAX_TOKENS": "800",
        "AI_TEMPERATURE": "0",
        "AI_TOP_P": "1",
        "AI_TIMEOUT": "10",
        "AI_REASONING_EFFORT": "HIGH",
        "AI_MAX_RETRIES": "0",
        "CACHE_TTL_SECONDS": "60",
        "CACHE_MAX_ENTRIES": "5",
        "REDIS_URL": "redis://localhost:6379/0",
        "APPSTORE_BASE_URL": "http://127.0.0.1:9001",
        "APPSTORE_COUNTRY": "GB",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": "http://127.0.0.1:9002/api",
        "DISCORD_BOT_TOKEN": "d",
        "DISCORD_API_URL": "http://127.0.0.1:9003/api/v10",
        "DISCORD_GATEWAY_URL": "ws://127.0.0.1:9004",
        "SLACK_ALLOWED_TEAM_IDS": "T1, T2,,",
        "DISCORD_GUILD_IDS": "111,222",
        "DISCORD_ALLOWED_GUILD_IDS": "111",
        "USER_COMMANDS_PER_MINUTE": "3",
        "PORT": "8080",
        "LOG_LEVEL": "debug",
        "LOG_FORMAT": "JSON",
        "SCOUT_ADMIN_IDS": "U1, 123",
        "APPSTORE_CALLS_PER_MINUTE": "600",
        "REDIS_TLS_VERIFY": "False",
        "DATA_DIR": "/srv/scout",
        "DATABASE_URL": "postgres://scout:pw-1234567@db.example:5432/scout",
        "JOURNAL_LEASE_SECONDS": "30",
        "WATCH_CHECK_SECONDS": "3600",
        "DIGEST_WEEKDAY": "Fri",
        "DIGEST_HOUR": "17",
        "DIGEST_TZ": "Europe/Berlin",
        "MCP_TOKEN": " mcp-token-0123456789abcdef ",
    }
    s = load_settings(env)
    assert s.mcp_token == "mcp-token-0123456789abcdef" and s.mcp_token in s.secrets
    assert (str(s.storage.data_dir), s.storage.journal_lease_seconds) == ("/srv/scout", 30)
    assert s.storage.database_url == env["DATABASE_URL"]
    assert "pw-1234567" in s.secrets and env["DATABASE_URL"] in s.secrets
    assert (s.watch.check_seconds, s.watch.digest_weekday, s.watch.digest_hour) == (3600, 4, 17)
    assert s.watch.digest_phrase == "Fridays at 17:00 Europe/Berlin"
    assert (s.log_format, s.admin_ids) == ("json", frozenset({"U1", "123"}))
    assert s.appstore.calls_per_minute == 600
    assert s.cache.redis_tls_verify is False
    assert s.router.api_key == "hf_abc"
    assert s.router.base_url == "http://127.0.0.1:9000/v1"
    assert s.router.models == ("m/one", "m/two", "m/three")
    assert (s.router.max_tokens, s.router.temperature, s.router.top_p) == (800, 0, 1)
    assert s.router.timeout == 10
    assert s.router.reasoning_effort == "high"
    assert (s.router.max_retries, s.cache.ttl_seconds, s.cache.max_entries) == (0, 60, 5)
    assert s.cache.redis_url == "redis://localhost:6379/0"
    assert (s.appstore.base_url, s.appstore.country) == ("http://127.0.0.1:9001", "gb")
    assert (s.slack.bot_token, s.slack.app_token, s.slack.signing_secret) == (
        "xoxb-1",
        "xapp-1",
        "s",
    )
    assert s.slack.api_url == "http://127.0.0.1:9002/api/"
    assert s.discord.bot_token == "d"
    assert s.discord.api_url == "http://127.0.0.1:9003/api/v10"
    assert s.discord.gateway_url == "ws://127.0.0.1:9004"
    assert s.slack.allowed_team_ids == {"T1", "T2"}
    assert (s.discord.guild_ids, s.discord.allowed_guild_ids) == ({"111", "222"}, {"111"})
    assert s.user_commands_per_minute == 3
    assert (s.port, s.log_level) == (8080, "DEBUG")


def test_hf_token_is_accepted_when_the_main_name_is_absent() -> None:
    assert load_settings({"HF_TOKEN": "hf_tok"}).router.api_key == "hf_tok"
    both = {"HF_TOKEN": "hf_tok", "HUGGING_FACE_API_KEY": "hf_main"}
    assert load_settings(both).router.api_key == "hf_main"


def test_blank_values_count_as_unset() -> None:
    blank = {name: " \t" for setting in SETTINGS for name in setting.names}
    assert load_settings(blank) == Settings()


def test_fallback_models_follow_the_default_model_when_no_model_is_named() -> None:
    models = load_settings({"AI_FALLBACK_MODELS": "m/two, openai/gpt-oss-120b"}).router.models
    assert models == ("openai/gpt-oss-120b", "m/two")
    assert load_settings({"AI_MODEL": " m/one "}).router.models == ("m/one",)


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        ("AI_MAX_TOKENS", "0", "1–4,096"),
        ("AI_MAX_TOKENS", "5000", "1–4,096"),
        ("AI_MAX_TOKENS", "lots", "1–4,096"),
        ("AI_TEMPERATURE", "3", "0–2"),
        ("AI_TEMPERATURE", "nan", "0–2"),
        ("AI_TOP_P", "1.5", "0–1"),
        ("AI_TIMEOUT", "5", "10–120 s"),
        ("AI_REASONING_EFFORT", "extreme", "low|medium|high"),
        ("APPSTORE_COUNTRY", "usa", "two-letter"),
        ("APPSTORE_COUNTRY", "zz", "two-letter"),
        ("SHUTDOWN_GRACE_SECONDS", "1", "2–600 s"),
        ("AI_BASE_URL", "router.example", "https://"),
        ("PORT", "70000", "1–65,535"),
        ("LOG_LEVEL", "chatty", "DEBUG|INFO|WARNING|ERROR"),
        ("LOG_FORMAT", "xml", "text|json"),
        ("DISCORD_GUILD_IDS", "abc,1", "123,456"),
        ("WATCH_CHECK_SECONDS", "10", "60–604,800 s"),
        ("DIGEST_WEEKDAY", "someday", "monday–sunday"),
        ("DIGEST_HOUR", "24", "0–23"),
        ("DIGEST_TZ", "Mars/Olympus", "IANA name"),
        ("JOURNAL_LEASE_SECONDS", "1", "5–600 s"),
    ],
)
def test_bad_values_name_the_variable_the_value_and_the_range(
    name: str, value: str, allowed: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({name: value})
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith(f"{name}=")
    assert repr(value) in line
    assert allowed in line


def test_secret_values_are_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"REDIS_URL": "http://user:hunter2@cache"})
    assert "hunter2" not in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        load_settings({"DATABASE_URL": "mysql://user:hunter2@db/scout"})
    assert "hunter2" not in str(caught.value) and "DATABASE_URL=(hidden)" in str(caught.value)
    assert "hunter2" not in repr(load_settings({"HUGGING_FACE_API_KEY": "hunter2"}))


@pytest.mark.parametrize(
    "url",
    [
        "redis://cache:notaport/0",
        "redis://cache:99999/0",
        "redis://[::1:6379/0",
        "rediss://user:hunter2@cache:6380/0?socket_timeout=soon",
    ],
)
def test_a_malformed_redis_url_is_one_line_without_the_secret(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"REDIS_URL": url})
    line = str(caught.value)
    assert line.startswith("REDIS_URL=(hidden) is not a Redis URL; allowed redis://")
    assert "hunter2" not in line and "\n" not in line


@pytest.mark.parametrize("token", ["tiny-tok3n", "fifteen-chars!!", " " * 3 + "x" * 15 + " "])
def test_an_mcp_token_too_short_to_be_safe_is_one_line_without_the_token(token: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"MCP_TOKEN": token})
    line = str(caught.value)
    assert line.startswith("MCP_TOKEN=(hidden) is too short to be safe; allowed 16 characters")
    assert token.strip() not in line and "\n" not in line


def test_the_mcp_token_is_off_by_default_and_never_in_a_repr() -> None:
    assert load_settings({}).mcp_token is None
    settings = load_settings({"MCP_TOKEN": "x" * 16})
    assert settings.mcp_token == "x" * 16 and "x" * 16 not in repr(settings)


def test_dotenv_is_read_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("AI_MODEL=from/dotenv\nAI_TOP_P=0.5\n")
    monkeypatch.setenv("AI_TOP_P", "0.25")
    settings = load_settings(read_environment(env_file))
    assert settings.router.models[0] == "from/dotenv"
    assert settings.router.top_p == 0.25


def test_env_example_lists_every_setting() -> None:
    example = (ROOT / ".env.example").read_text()
    names = {line.split("=", 1)[0].lstrip("# ") for line in example.splitlines() if "=" in line}
    for name in [
        "HUGGING_FACE_API_KEY",
        "HF_TOKEN",
        "AI_BASE_URL",
        "AI_MODEL",
        "AI_FALLBACK_MODELS",
        "AI_MAX_TOKENS",
        "AI_TEMPERATURE",
        "AI_TOP_P",
        "AI_TIMEOUT",
        "AI_REASONING_EFFORT",
        "AI_MAX_RETRIES",
        "CACHE_TTL_SECONDS",
        "CACHE_MAX_ENTRIES",
        "REDIS_URL",
        "APPSTORE_BASE_URL",
        "APPSTORE_COUNTRY",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_API_URL",
        "DISCORD_BOT_TOKEN",
        "DISCORD_API_URL",
        "DISCORD_GATEWAY_URL",
        "PORT",
        "LOG_LEVEL",
        "SLACK_ALLOWED_TEAM_IDS",
        "USER_COMMANDS_PER_MINUTE",
        "DISCORD_GUILD_IDS",
        "DISCORD_ALLOWED_GUILD_IDS",
        "SCOUT_ADMIN_IDS",
        "LOG_FORMAT",
        "APPSTORE_CALLS_PER_MINUTE",
        "REDIS_TLS_VERIFY",
        "DATA_DIR",
        "DATABASE_URL",
        "WATCH_CHECK_SECONDS",
        "DIGEST_WEEKDAY",
        "DIGEST_HOUR",
        "DIGEST_TZ",
        "JOURNAL_LEASE_SECONDS",
        "MCP_TOKEN",
    ]:
        assert name in names, name
    # The documented defaults are the code's defaults.
    assert load_settings(dict(_example_values(example))) == Settings()


def _example_values(example: str) -> list[tuple[str, str]]:
    pairs = []
    for line in example.splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, value = line.split("=", 1)
            pairs.append((name, value))
    return pairs


def test_the_table_names_each_variable_once_and_env_example_documents_it() -> None:
    names = [name for setting in SETTINGS for name in setting.names]
    assert [name for name, count in Counter(names).items() if count > 1] == []
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(?:# ?)?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert [name for name in names if name not in documented] == []


def test_every_table_entry_targets_a_settings_field() -> None:
    for setting in SETTINGS:
        owner = getattr(Settings(), setting.section) if setting.section else Settings()
        assert dataclasses.is_dataclass(owner), setting.name
        assert setting.field in {f.name for f in dataclasses.fields(owner)}, setting.name


def test_the_secret_names_are_the_hidden_settings() -> None:
    assert {
        "HUGGING_FACE_API_KEY",
        "HF_TOKEN",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_SECRET",
        "SLACK_SIGNING_SECRET",
        "DISCORD_BOT_TOKEN",
        "REDIS_URL",
        "DATABASE_URL",
        "MCP_TOKEN",
    } == SECRET_NAMES


@pytest.mark.parametrize(
    ("env", "ids", "count"),
    [
        ({}, None, None),  # no sharding: one unsharded session, as before
        ({"DYNO": "worker.2", "WORKER_COUNT": "3", "DISCORD_SHARD_COUNT": "6"}, (1, 4), 6),
        ({"DYNO": "worker.1", "WORKER_COUNT": "2"}, (0,), 2),  # one shard per worker
        ({"DISCORD_SHARD_COUNT": "4"}, None, 4),  # every shard in this process
        ({"DISCORD_SHARD_COUNT": "3", "DISCORD_SHARD_IDS": " 2,0,2 "}, (0, 2), 3),
        ({"DISCORD_SHARD_COUNT": "3", "DISCORD_SHARD_IDS": "1", "DYNO": "worker.1"}, (1,), 3),
        ({"DYNO": "web.1", "WORKER_COUNT": "3"}, None, None),  # not a worker: no plan of its own
        ({"DYNO": "worker.3"}, None, None),  # without WORKER_COUNT, Heroku's DYNO alone
    ],
)
def test_the_shard_plan_comes_from_ids_else_the_worker_dyno(
    env: dict[str, str], ids: tuple[int, ...] | None, count: int | None
) -> None:
    plan = load_settings(env).discord.shard_plan()
    assert ((plan.ids, plan.count) if plan else (None, None)) == (ids, count)


def test_an_auto_shard_count_is_discords_recommendation_and_at_least_the_workers() -> None:
    auto = load_settings({"DISCORD_SHARD_COUNT": "AUTO"}).discord
    assert auto.shard_count == "auto" and auto.sharded
    assert auto.shard_plan(5) == (None, 5)
    with pytest.raises(ValueError):
        auto.shard_plan()  # Discord must be asked first
    workers = load_settings(
        {"DISCORD_SHARD_COUNT": "auto", "DYNO": "worker.3", "WORKER_COUNT": "3"}
    )
    assert workers.discord.shard_plan(1) == ((2,), 3)  # one each, though Discord asks for fewer
    assert workers.discord.shard_plan(7) == ((2, 5), 7)


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"DISCORD_SHARD_COUNT": "0"},
            "DISCORD_SHARD_COUNT='0' is out of range; allowed 1–100,000 or auto",
        ),
        (
            {"DISCORD_SHARD_COUNT": "some"},
            "DISCORD_SHARD_COUNT='some' is not a number; allowed 1–100,000 or auto",
        ),
        (
            {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,x"},
            "DISCORD_SHARD_IDS='0,x' is not a list of shard ids; allowed 0,2 (from 0)",
        ),
        (
            {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "0,2"},
            "DISCORD_SHARD_IDS='0,2' is out of range; allowed 0–1 (below DISCORD_SHARD_COUNT=2)",
        ),
        (
            {"DISCORD_SHARD_IDS": "1"},
            "DISCORD_SHARD_IDS='1' needs DISCORD_SHARD_COUNT; allowed with DISCORD_SHARD_COUNT "
            "set too (a number or auto)",
        ),
        (
            {"WORKER_COUNT": "0"},
            "WORKER_COUNT='0' is out of range; allowed 1–1,000",
        ),
        (
            {"DYNO": "worker.4", "WORKER_COUNT": "3"},
            "DYNO='worker.4' is out of range; allowed worker.1–worker.3 (WORKER_COUNT=3)",
        ),
        (
            {"DYNO": "worker.0", "WORKER_COUNT": "3"},
            "DYNO='worker.0' is out of range; allowed worker.1, worker.2, …",
        ),
        (
            {"DYNO": "worker.1", "WORKER_COUNT": "4", "DISCORD_SHARD_COUNT": "3"},
            "WORKER_COUNT='4' is out of range; allowed 1–3 (at most DISCORD_SHARD_COUNT=3, so "
            "that every worker runs a shard)",
        ),
    ],
)
def test_a_shard_plan_that_cannot_work_is_one_line_naming_the_variable(
    env: dict[str, str], line: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert str(caught.value) == line
