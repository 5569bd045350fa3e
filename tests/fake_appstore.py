"""A loopback fake of Apple's iTunes Search/Lookup APIs and legacy top-chart feeds, serving the
real recorded responses in `tests/fixtures/appstore/` (quirks included).

- `GET /search?term=&entity=software&country=&limit=`: the fixture registered for the term
  (case and punctuation folded), else Apple's empty answer; a bad parameter gets Apple's
  `{"errorMessage": …}` with status 400.
- `GET /lookup?id=a,b,c&country=`: every known app among the ids, in order; unknown ids are
  simply absent, as with Apple; a non-numeric id gets the recorded `errorMessage` body; more
  than 200 ids get a 502, as from Apple.
- `GET /{cc}/rss/{topfreeapplications|toppaidapplications|topgrossingapplications}/limit=N/
  genre=G/json` (N ≤ 200, as Apple serves): a chart set with `set_chart`, else the recorded
  feeds for genre 6002 (the top-grossing one has a single-object `entry`); any other genre gets
  a feed without `entry`, as Apple sends for an empty chart.
- `GET /{cc}/rss/customerreviews/page=N/id=ID/sortby={mostrecent|mosthelpful}/{json|xml}`: the
  recorded reviews of the app (`review_feeds`: Webster Bank's JSON page; REALITY's XML page, whose
  JSON feed is empty as Apple has served it) on page 1 of either sort order; later pages and
  other apps get a feed without `entry`; a page past 10 gets a 400, as from Apple.
Search and lookup answers come as `text/javascript; charset=utf-8`, like Apple's.
Trend watch tests change the store between checks: `set_app` (a record's fields), `set_chart` (a
category's chart) and `set_reviews` (an app's newest reviews, served in Apple's JSON form);
`tests/fake_market.py` builds a whole synthetic market with them. `call_counts()` counts the
requests served, by kind.
Faults are scripted with `enqueue`/`always` (e.g. `Reply(403, b"")`, Apple's throttling).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.loopback import LoopbackServer, RecordedRequest, Reply, json_response

FIXTURES = Path(__file__).parent / "fixtures" / "appstore"
APPLE_JSON = "text/javascript"

SEARCHES = {
    "facebook": "lookup-facebook.json",
    "webster bank": "search-webster-us.json",
    "reality": "lookup-reality-jp.json",
    "things": "search-things-mac.json",
    "slack": "search-slack-mac.json",
    "whatsapp": "lookup-whatsapp-hk.json",
    "slack desktop": "lookup-slack-mac.json",  # only a Mac app: no iOS match
}
REVIEW_FEEDS = {
    (1321994487, "json"): "reviews-webster-us.json",
    (1404176564, "xml"): "reviews-jp-1404176564.xml",
}
EMPTY_XML_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><feed xmlns:im="http://itunes.apple.com/rss" '
    'xmlns="http://www.w3.org/2005/Atom"><title>iTunes Store: Customer Reviews</title></feed>'
)
CHART_KINDS = ("topfreeapplications", "toppaidapplications", "topgrossingapplications")
CHART_MAX = 200  # entries in one feed, as Apple serves
LOOKUP_MAX_IDS = 200  # ids in one look-up; Apple answers more with a 502
FEEDS = {
    ("topfreeapplications", 6002): "topfree-hk-6002.json",
    ("topgrossingapplications", 6002): "topgrossing-hk-single.json",
}

__all__ = ["FakeAppStore", "RecordedRequest", "Reply", "fixture"]


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _fold(term: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", term.casefold()).split())


class FakeAppStore(LoopbackServer):
    name = "fake-appstore"

    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.searches = dict(SEARCHES)
        self.any_app = False  # benchmarks: an unknown term finds an app of that name
        self.review_feeds: dict[tuple[int, str], str] = dict(REVIEW_FEEDS)
        self.charts: dict[tuple[str, int], list[dict[str, Any]]] = {}  # set_chart's
        self.reviews: dict[int, list[dict[str, Any]]] = {}  # set_reviews'

        self.apps: dict[int, dict[str, Any]] = {}
        for path in sorted(FIXTURES.glob("*.json")):
            data = json.loads(path.read_text())
            for record in data.get("results", []) if isinstance(data, dict) else []:
                self.apps.setdefault(record["trackId"], record)

    def __enter__(self) -> FakeAppStore:
        self.start()
        return self

    # -- changes between checks ------------------------------------------------------------
    def set_app(self, track_id: int, **fields: Any) -> None:
        """Change (or add) an app's record: `averageUserRating=4.1`, `version="2.0"`…"""
        self.apps[track_id] = {**self.apps.get(track_id, {}), "trackId": track_id, **fields}

    def set_chart(
        self, chart: str, genre: int, apps: list[tuple[int, str]], category: str = "Utilities"
    ) -> None:
        """A category's chart, best first, as (track id, name)."""
        self.charts[(chart, genre)] = [
            {
                "im:name": {"label": name},
                "id": {
                    "label": f"https://apps.apple.com/app/id{track_id}",
                    "attributes": {"im:id": str(track_id)},
                },
                "category": {"attributes": {"term": category, "im:id": str(genre)}},
            }
            for track_id, name in apps
        ]

    def set_reviews(self, track_id: int, reviews: Sequence[tuple[Any, ...]]) -> None:
        """An app's newest reviews, newest first, as (id, stars, ISO date-time), optionally
        followed by title, text and version."""
        self.reviews[track_id] = [review_entry(*review) for review in reviews]

    def call_counts(self) -> dict[str, int]:
        """Requests served so far, by kind: search, lookup, chart, reviews."""
        counts = dict.fromkeys(("search", "lookup", "chart", "reviews"), 0)
        for request in self.requests:
            if request.path == "/search":
                counts["search"] += 1
            elif request.path == "/lookup":
                counts["lookup"] += 1
            elif "/rss/customerreviews/" in request.path:
                counts["reviews"] += 1
            elif "/rss/top" in request.path:
                counts["chart"] += 1
        return counts

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/search", self._search)
        app.router.add_get("/lookup", self._lookup)
        app.router.add_get("/{cc}/rss/{chart}/limit={limit}/genre={genre}/json", self._feed)
        app.router.add_get(
            "/{cc}/rss/customerreviews/page={page}/id={id}/sortby={sort}/{form}", self._reviews
        )

    def calls(self, path_start: str = "/") -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.startswith(path_start)]

    async def _search(self, request: web.Request) -> web.StreamResponse:
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        query = request.query
        problem = _bad_parameters(query, required=("term",))
        if problem:
            return _apple_error(problem)
        if query.get("entity", "software") not in ("software", "macSoftware", "iPadSoftware"):
            return _apple_error("entity")
        name = self.searches.get(_fold(query["term"]))
        if name is None and self.any_app:
            return _apple(self._made_up(query["term"]))
        return _apple(fixture(name or "lookup-empty.json"))

    def _made_up(self, term: str) -> dict[str, Any]:
        """A search that finds one app named `term` (Facebook's record, renamed)."""
        record = dict(self.apps[284882215])
        record["trackName"] = term
        record["trackId"] = 1_000_000_000 + sum(map(ord, term)) * 7919 % 999_999
        return {"resultCount": 1, "results": [record]}

    async def _lookup(self, request: web.Request) -> web.StreamResponse:
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        ids = [part.strip() for part in request.query.get("id", "").split(",") if part.strip()]
        if not ids or not all(part.isdigit() for part in ids):
            return _apple(fixture("error-invalid-key.json"), status=400)
        if len(ids) > LOOKUP_MAX_IDS:
            return web.Response(status=502, text="Bad Gateway")
        if _bad_parameters(request.query, required=()):
            return _apple_error("country")
        found = [self.apps[int(i)] for i in ids if int(i) in self.apps]
        return _apple({"resultCount": len(found), "results": found})

    async def _feed(self, request: web.Request) -> web.StreamResponse:
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        chart = request.match_info["chart"]
        try:
            limit, genre = int(request.match_info["limit"]), int(request.match_info["genre"])
        except ValueError:
            return web.Response(status=404)
        if chart not in CHART_KINDS:
            return web.Response(status=404)
        limit = min(limit, CHART_MAX)
        if (chart, genre) in self.charts:
            entries = self.charts[(chart, genre)][:limit]
            return json_response(200, {"feed": {"entry": entries, "title": {"label": chart}}})
        name = FEEDS.get((chart, genre))
        if name is None:
            return json_response(200, {"feed": {"title": {"label": "empty chart"}}})
        feed = fixture(name)
        entries = feed["feed"].get("entry")
        if isinstance(entries, list):
            feed["feed"]["entry"] = entries[:limit]
        return json_response(200, feed)

    async def _reviews(self, request: web.Request) -> web.StreamResponse:
        scripted = await self._scripted(request)
        if scripted is not None:
            return scripted
        info = request.match_info
        if not (info["page"].isdigit() and info["id"].isdigit()) or info["form"] not in (
            "json",
            "xml",
        ):
            return web.Response(status=404)
        if not 1 <= int(info["page"]) <= 10:
            return web.Response(status=400, text="CustomerReviews RSS page out of range")
        written = self.reviews.get(int(info["id"]))
        if written is not None and info["form"] == "json" and info["page"] == "1":
            return _apple({"feed": {"entry": written, "title": {"label": "Customer Reviews"}}})
        name = self.review_feeds.get((int(info["id"]), info["form"]))
        if name is None or info["page"] != "1" or info["sort"] not in ("mostrecent", "mosthelpful"):
            if info["form"] == "xml":
                return web.Response(text=EMPTY_XML_FEED, content_type="text/xml")
            return json_response(200, {"feed": {"title": {"label": "Customer Reviews"}}})
        body = (FIXTURES / name).read_bytes()
        kind = "text/xml" if info["form"] == "xml" else APPLE_JSON
        return web.Response(body=body, content_type=kind, charset="utf-8")

    async def _scripted(self, request: web.Request) -> web.StreamResponse | None:
        _body, scripted = await self.record(request)
        if scripted is None:
            return None
        return await self.play(request, scripted)


def review_entry(
    review_id: str,
    stars: int,
    written: str,
    title: str | None = None,
    text: str | None = None,
    version: str = "1.0",
) -> dict[str, Any]:
    """One entry of Apple's JSON customer-reviews feed."""
    return {
        "id": {"label": review_id},
        "im:rating": {"label": str(stars)},
        "im:version": {"label": version},
        "title": {"label": title if title is not None else f"Review {review_id}"},
        "content": {
            "label": text if text is not None else f"Text of review {review_id}",
            "attributes": {"type": "text"},
        },
        "updated": {"label": written},
        "im:voteSum": {"label": "0"},
    }


def _bad_parameters(query: Any, required: tuple[str, ...]) -> str | None:
    for name in required:
        if not query.get(name):
            return name
    country = query.get("country")
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        return "country"
    return None


def _apple(payload: Any, status: int = 200) -> web.Response:
    response = json_response(status, payload, content_type=APPLE_JSON)
    response.charset = "utf-8"
    return response


def _apple_error(key: str) -> web.Response:
    return _apple(
        {"errorMessage": f"Invalid value(s) for key(s): [{key}]", "queryParameters": {}},
        status=400,
    )
