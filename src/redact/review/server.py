"""The local review page: the standard library's ThreadingHTTPServer on 127.0.0.1, a random port
and a random token that every request must carry (403 without it). The page, its script and its
style are served from here; the Content-Security-Policy lets it talk to nothing else."""

from __future__ import annotations

import hmac
import json
import secrets
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from redact.review.documents import Export, ReviewDocument
from redact.review.sampling import PER, upper_bound
from redact.review.store import KINDS, ReviewFile, add_to_deny_list

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
STATIC = {"/": ("index.html", "text/html"), "/app.js": ("app.js", "text/javascript"),
          "/app.css": ("app.css", "text/css"), "/icon.svg": ("icon.svg", "image/svg+xml")}
MAX_BODY = 64 * 1024


class BadRequest(ValueError):
    """A request the page should not send; its message names no value."""


class ReviewApp:
    """What the page can ask: the plan and progress, one document, a decision, a deny-list entry."""

    def __init__(self, export: Export, review: ReviewFile, deny_list: Path) -> None:
        self.export = export
        self.review = review
        self.deny_list = deny_list
        self.document = lru_cache(maxsize=16)(self._document)

    def _document(self, index: int) -> ReviewDocument:
        return self.export.document(self.review.sample[index]["id"])

    def _doc_index(self, value) -> int:
        if not isinstance(value, int) or not 0 <= value < len(self.review.sample):
            raise BadRequest("no such document in the sample")
        return value

    def state(self) -> dict:
        summary = self.review.summary()
        confidence = self.review.data["confidence"]
        misses = sum(summary["misses"].values())
        bound = upper_bound(misses, summary["words_reviewed"], confidence) * PER
        return {"kinds": KINDS, "confidence": confidence, "target_rate": self.review.data["target_rate"],
                "words_needed": self.review.data["words_needed"], "upper_bound": bound, **summary,
                "documents": [{"id": d["id"], "words": d["words"],
                               "reviewed": self.review.decisions(d["id"])["reviewed"]} for d in self.review.sample]}

    def doc(self, index: int) -> dict:
        index = self._doc_index(index)
        doc = self.document(index)
        return {"index": index, **doc.to_json(), "decisions": self.review.decisions(doc.id)}

    def decide(self, body: dict) -> dict:
        index = self._doc_index(body.get("doc"))
        doc = self.document(index)
        action = body.get("action")
        if action == "miss":
            change = self._miss(doc, body)
        elif action == "unmiss":
            change = self._unmiss(body.get("miss"))
        elif action == "over":
            change = self._over(doc, body)
        elif action == "reviewed":
            change = lambda d: d.update(reviewed=bool(body.get("value")))  # noqa: E731
        else:
            raise BadRequest("unknown action")
        return self.review.update(doc.id, change)

    def _miss(self, doc: ReviewDocument, body: dict):
        start, end, kind = body.get("start"), body.get("end"), body.get("kind")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(doc.output)):
            raise BadRequest("select some text in the de-identified document")
        if kind not in KINDS:
            raise BadRequest("unknown kind")
        if any(r.out_start < end and start < r.out_end for r in doc.replacements):
            raise BadRequest("the selection overlaps a replacement")
        text = doc.output[start:end]

        def change(decisions):
            if any(m["start"] < end and start < m["end"] for m in decisions["misses"]):
                raise BadRequest("the selection overlaps a marked miss")
            decisions["misses"].append({"start": start, "end": end, "kind": kind, "text": text})
            decisions["misses"].sort(key=lambda m: m["start"])
        return change

    @staticmethod
    def _unmiss(position):
        def change(decisions):
            if not isinstance(position, int) or not 0 <= position < len(decisions["misses"]):
                raise BadRequest("no such miss")
            decisions["misses"].pop(position)
        return change

    def _over(self, doc: ReviewDocument, body: dict):
        k = body.get("replacement")
        if not isinstance(k, int) or not 0 <= k < len(doc.replacements):
            raise BadRequest("no such replacement")
        r = doc.replacements[k]
        kind = body.get("kind") or r.label

        def change(decisions):
            kept = [o for o in decisions["over"] if (o["out_start"], o["out_end"]) != (r.out_start, r.out_end)]
            if len(kept) == len(decisions["over"]):
                kept.append({"out_start": r.out_start, "out_end": r.out_end, "kind": kind})
            decisions["over"] = sorted(kept, key=lambda o: o["out_start"])
        return change

    def deny(self, body: dict) -> dict:
        index = self._doc_index(body.get("doc"))
        doc_id = self.review.sample[index]["id"]
        position = body.get("miss")
        misses = self.review.decisions(doc_id)["misses"]
        if not isinstance(position, int) or not 0 <= position < len(misses):
            raise BadRequest("no such miss")
        add_to_deny_list(self.deny_list, misses[position]["text"])
        return self.review.update(doc_id, lambda d: d["misses"][position].update(denied=True))


def _static(name: str) -> bytes:
    return files("redact.review").joinpath("static", name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    server: ReviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # URLs carry the token: nothing is logged
        pass

    def _allowed(self) -> tuple[str, dict] | None:
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        token = (query.get("token") or [""])[0]
        host_ok = self.headers.get("Host", "") in self.server.hosts
        if not host_ok or not hmac.compare_digest(token.encode(), self.server.token.encode()):
            self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain")
            return None
        return url.path, query

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")

    def do_GET(self):
        allowed = self._allowed()
        if allowed is None:
            return
        path, query = allowed
        app = self.server.app
        if path in STATIC:
            name, content_type = STATIC[path]
            body = _static(name)
            if name == "index.html":
                body = body.replace(b"__TOKEN__", self.server.token.encode())
            return self._send(HTTPStatus.OK, body, content_type)
        try:
            if path == "/api/state":
                return self._json(HTTPStatus.OK, app.state())
            if path == "/api/doc":
                return self._json(HTTPStatus.OK, app.doc(int((query.get("i") or ["-1"])[0])))
        except BadRequest as exc:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except ValueError:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "bad request"})
        except Exception as exc:  # an output or source that cannot be read: named by type only
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR,
                              {"error": f"cannot show this document ({type(exc).__name__})"})
        self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")

    def do_POST(self):
        allowed = self._allowed()
        if allowed is None:
            return
        path, _ = allowed
        routes = {"/api/decide": self.server.app.decide, "/api/deny": self.server.app.deny}
        length = int(self.headers.get("Content-Length") or 0)
        if path not in routes or self.headers.get_content_type() != "application/json" or length > MAX_BODY:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain")
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise BadRequest("expected a JSON object")
            return self._json(HTTPStatus.OK, routes[path](body))
        except BadRequest as exc:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except ValueError:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "bad request"})
        except Exception as exc:  # never a traceback (it could quote a document) on the console
            return self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"not saved ({type(exc).__name__})"})


class ReviewServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: ReviewApp, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.app = app
        self.token = secrets.token_urlsafe(24)
        port = self.server_address[1]
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/?token={self.token}"
