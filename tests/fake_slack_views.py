"""The fake Slack's views: what `views.publish` and `views.open` accept (`ViewStore`), and how a
user meets them — a click on a button of the App Home tab the app published (a `block_actions`
payload from a `home` view), and the modal `views.open` showed submitted (a `view_submission`
payload with what the user typed in its input).

`views.publish` takes a `home` view for a `user_id`, its blocks checked as a Home tab's (at most
100); `views.open` takes a `trigger_id` and a modal. `modal_problem` says why Slack would refuse a
modal (`views.open` answers `invalid_arguments`): title, submit and close at most 24 characters of
plain text, a `callback_id`, 1–100 blocks, and each `input` block a label and a
`plain_text_input` with an `action_id` (`max_length` at most 3000, a placeholder at most 150
characters)."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from aiohttp import web

from tests.fake_slack_blocks import block_problem
from tests.loopback import json_response

_ids = itertools.count(1)


class ViewStore:
    """The views the app showed: each user's Home tab as it stands, and every modal opened."""

    def __init__(self) -> None:
        self.home_views: dict[tuple[str, str], dict[str, Any]] = {}  # (team, user) → view
        self.modals: list[dict[str, Any]] = []

    def publish(self, body: dict[str, Any], team: str) -> web.Response:
        """`views.publish` from `team`: a Home tab for `user_id`."""
        view = _view(body)
        if not body.get("user_id"):
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        if not isinstance(view, dict) or view.get("type") != "home":
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        if problem := block_problem(view.get("blocks"), max_blocks=100):
            return json_response(200, {"ok": False, "error": problem.split(":")[0]})
        self.home_views[(team, str(body["user_id"]))] = view
        return json_response(200, {"ok": True, "view": {"id": "V1", **view}})

    def open(self, body: dict[str, Any]) -> web.Response:
        """`views.open`: a modal, for the `trigger_id` of a user's action."""
        view = _view(body)
        if not body.get("trigger_id") or not isinstance(view, dict):
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        if problem := modal_problem(view):
            metadata = {"messages": [f"[ERROR] {problem}"]}
            answer = {"ok": False, "error": "invalid_arguments", "response_metadata": metadata}
            return json_response(200, answer)
        self.modals.append(view)
        return json_response(200, {"ok": True, "view": {"id": "V2", **view}})


def _view(body: dict[str, Any]) -> Any:
    """The `view` argument, which comes as a JSON string in a form body."""
    view = body.get("view")
    return json.loads(view) if isinstance(view, str) else view


def _button(view: dict[str, Any], action_id: str) -> tuple[str, dict[str, Any]]:
    for block in view.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("type") == "button" and element.get("action_id") == action_id:
                return str(block.get("block_id") or ""), element
    raise AssertionError(f"the view shows no {action_id!r} button to click")


def home_click(view: dict[str, Any], action_id: str, team: str, user: str) -> dict[str, Any]:
    """`user` clicking the `action_id` button of the Home tab `view` (as it was published)."""
    block_id, button = _button(view, action_id)
    return {
        "type": "block_actions",
        "team": {"id": team, "domain": team.lower()},
        "user": {"id": user, "name": "alice", "team_id": team},
        "api_app_id": "A0001",
        "container": {"type": "view", "view_id": "V1"},
        "trigger_id": f"{next(_ids)}.{team}.trigger",
        "view": {"id": "V1", "team_id": team, **view},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": button["text"],
                "action_ts": str(time.time()),
            }
        ],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def submission(modal: dict[str, Any], typed: str, team: str, user: str) -> dict[str, Any]:
    """`user` typing `typed` into the modal's input and pressing its submit button."""
    values: dict[str, dict[str, Any]] = {}
    for block in modal.get("blocks") or []:
        if block.get("type") == "input":
            element = block["element"]
            values[block["block_id"]] = {
                element["action_id"]: {"type": element["type"], "value": typed}
            }
    return {
        "type": "view_submission",
        "team": {"id": team, "domain": team.lower()},
        "user": {"id": user, "name": "alice", "team_id": team},
        "api_app_id": "A0001",
        "trigger_id": f"{next(_ids)}.{team}.trigger",
        "view": {
            "id": "V2",
            "team_id": team,
            **modal,
            "state": {"values": values},
            "hash": f"{next(_ids)}.hash",
            "private_metadata": modal.get("private_metadata", ""),
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def _plain(obj: Any, limit: int) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") == "plain_text"
        and isinstance(obj.get("text"), str)
        and 1 <= len(obj["text"]) <= limit
    )


def modal_problem(view: dict[str, Any]) -> str | None:
    """Why Slack would refuse this modal, or None."""
    if view.get("type") != "modal":
        return "type must be modal"
    if not _plain(view.get("title"), 24):
        return "title: plain_text of 1–24 characters"
    for button in ("submit", "close"):
        if button in view and not _plain(view[button], 24):
            return f"{button}: plain_text of 1–24 characters"
    if not 1 <= len(str(view.get("callback_id") or "")) <= 255:
        return "callback_id: 1–255 characters"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 100:
        return "blocks: 1–100"
    for i, block in enumerate(blocks):
        if block.get("type") != "input":
            continue
        element = block.get("element") or {}
        if not _plain(block.get("label"), 2000):
            return f"[{i}] input label: plain_text of 1–2000 characters"
        if element.get("type") != "plain_text_input" or not element.get("action_id"):
            return f"[{i}] input element: a plain_text_input with an action_id"
        if not 1 <= int(element.get("max_length", 3000)) <= 3000:
            return f"[{i}] max_length: 1–3000"
        if "placeholder" in element and not _plain(element["placeholder"], 150):
            return f"[{i}] placeholder: plain_text of 1–150 characters"
    return None
