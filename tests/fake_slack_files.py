"""The fake Slack's files, uploaded the way `files_upload_v2` does it:

1. `files.getUploadURLExternal` (`filename`, `length`, optional `alt_txt`; scope `files:write`)
   answers an `upload_url` and a `file_id`;
2. the file's bytes are POSTed to that URL — raw, or as multipart form data with a `file`
   field — and must be as long as announced (else 400), within the size limit (else 413);
3. `files.completeUploadExternal` (`files` as JSON `[{id, title}]`, `channel_id`,
   `thread_ts`) shares them: `not_in_channel` / `channel_not_found` where the bot may not post,
   `file_not_found` for an id never issued or never uploaded.

Only PNGs are expected here (charts): step 2 refuses anything else with 415 and records why in
`problems`, as it does any step taken out of order, so tests can assert the protocol was kept.
"""

from __future__ import annotations

import itertools
import json
import struct
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import default
from typing import Any

from tests.loopback import json_response

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIDE = 4000  # pixels: a chart past this is no sane chart
DEFAULT_SCOPES = frozenset(
    {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "channels:read",
        "groups:read",
        "im:read",
        "files:write",
    }
)


def png_size(data: bytes) -> tuple[int, int] | None:
    """The width and height in a PNG's IHDR chunk; None when `data` is no PNG."""
    if len(data) < 33 or not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def multipart_parts(raw: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """A multipart form's parts by field name: (filename, bytes), the bytes untouched."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    parts: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        parts[str(name)] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return parts


def png_problem(data: bytes) -> str | None:
    size = png_size(data)
    if size is None:
        return "not a PNG (magic bytes or IHDR missing)"
    width, height = size
    if not (100 <= width <= MAX_SIDE and 100 <= height <= MAX_SIDE):
        return f"implausible PNG dimensions {width}×{height}"
    if not data.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82"):
        return "PNG cut short (no IEND chunk)"
    return None


@dataclass
class SlackFile:
    file_id: str
    filename: str
    length: int
    alt_txt: str
    data: bytes | None = None  # once uploaded
    title: str | None = None  # once completed
    channel: str | None = None
    thread_ts: str | None = None

    @property
    def shared(self) -> bool:
        return self.channel is not None

    @property
    def size(self) -> tuple[int, int] | None:
        return png_size(self.data or b"")


class FileStore:
    def __init__(self) -> None:
        self.scopes: set[str] = set(DEFAULT_SCOPES)  # the bot token's scopes
        self.max_bytes = 1_000_000_000  # Slack's limit is 1 GB; tests lower it
        self.files: dict[str, SlackFile] = {}
        self._by_key: dict[str, str] = {}  # upload URL key → file id
        self._ids = itertools.count(1)
        self.problems: list[str] = []  # protocol steps taken wrongly

    @property
    def shared(self) -> list[SlackFile]:
        """The files users see, in the order they were shared."""
        return [f for f in self.files.values() if f.shared]

    def _scope_error(self) -> dict[str, Any] | None:
        if "files:write" in self.scopes:
            return None
        return {
            "ok": False,
            "error": "missing_scope",
            "needed": "files:write",
            "provided": ",".join(sorted(self.scopes)),
        }

    def get_upload_url(self, body: dict[str, Any], base_url: str) -> Any:
        if refused := self._scope_error():
            return json_response(200, refused)
        filename = str(body.get("filename") or "")
        length = str(body.get("length") or "")
        if not filename or not length.isdigit() or int(length) <= 0:
            self.problems.append(f"getUploadURLExternal without filename/length: {body}")
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        file_id = f"F{next(self._ids):08d}"
        key = f"U{file_id}"
        self._by_key[key] = file_id
        self.files[file_id] = SlackFile(
            file_id, filename, int(length), str(body.get("alt_txt") or "")
        )
        return json_response(
            200, {"ok": True, "upload_url": f"{base_url}/upload/v1/{key}", "file_id": file_id}
        )

    def upload(self, key: str, raw: bytes, content_type: str) -> tuple[int, str]:
        """Step 2: (HTTP status, body) for the bytes POSTed to an upload URL."""
        file_id = self._by_key.get(key)
        if file_id is None:
            self.problems.append(f"upload to an URL never issued: {key}")
            return 404, "not found"
        file = self.files[file_id]
        data = raw
        if content_type.startswith("multipart/form-data"):
            data = multipart_parts(raw, content_type).get("file", (None, b""))[1]
        if len(data) > self.max_bytes:
            return 413, "file too large"
        if len(data) != file.length:
            self.problems.append(f"{file_id}: announced {file.length} bytes, sent {len(data)}")
            return 400, "length mismatch"
        if problem := png_problem(data):
            self.problems.append(f"{file_id}: {problem}")
            return 415, problem
        file.data = data
        return 200, f"OK - {len(data)}"

    def complete(self, body: dict[str, Any], channel_problem: Any) -> Any:
        if refused := self._scope_error():
            return json_response(200, refused)
        try:
            listed = json.loads(str(body.get("files") or "[]"))
        except ValueError:
            listed = None
        if not isinstance(listed, list) or not listed:
            self.problems.append(f"completeUploadExternal without files: {body}")
            return json_response(200, {"ok": False, "error": "invalid_arguments"})
        channel = body.get("channel_id")
        if channel and (refused_channel := channel_problem(str(channel))):
            return json_response(200, {"ok": False, "error": refused_channel})
        found = []
        for entry in listed:
            file = self.files.get(str(entry.get("id") if isinstance(entry, dict) else ""))
            if file is None or file.data is None:
                self.problems.append(f"completeUploadExternal before the upload: {entry}")
                return json_response(200, {"ok": False, "error": "file_not_found"})
            found.append((file, entry))
        for file, entry in found:
            file.title = str(entry.get("title") or file.filename)
            if channel:
                file.channel = str(channel)
                file.thread_ts = str(body["thread_ts"]) if body.get("thread_ts") else None
        files = [{"id": file.file_id, "title": file.title} for file, _ in found]
        return json_response(200, {"ok": True, "files": files})
