"""Recorded Stripe responses, for what localstripe lacks (Connect onboarding, payout reconciliation).

A fake HTTP client for stripe-python: each call is answered with the response recorded for it
in a JSON file, and every request is kept for the test to check (method, path, parameters,
headers: the ``Stripe-Account`` header of a Connect call included).

A recorded key is ``"METHOD /v1/path"``, optionally with query parameters the request must
carry (``"GET /v1/balance_transactions?payout=po_…"``); the most specific key that matches
answers. A call with no recorded response gets Stripe's 404 error body.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import stripe

RECORDED_DIR = Path(__file__).parent / "recorded"


def load(name: str) -> dict:
    return json.loads((RECORDED_DIR / name).read_text())


class RecordedStripe(stripe.HTTPClient):
    """Answers each Stripe call with the response recorded for it, and keeps the requests."""

    name = "recorded"

    def __init__(self, recorded: dict, *, down: bool = False):
        super().__init__()
        self.recorded = recorded
        self.down = down  # Stripe unreachable: every call fails as a lost connection does
        self.requests: list[tuple[str, str, dict, dict]] = []

    def _answer(self, method: str, path: str, params: dict) -> dict | None:
        best, best_size = None, -1
        for key, body in self.recorded.items():
            key_method, _, rest = key.partition(" ")
            key_path, _, key_query = rest.partition("?")
            if key_method != method or key_path != path:
                continue
            wanted = parse_qs(key_query)
            if all(params.get(name) == values for name, values in wanted.items()) and len(wanted) > best_size:
                best, best_size = body, len(wanted)
        return best

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parsed = urlparse(url)
        method = method.upper()
        body = post_data.decode() if isinstance(post_data, bytes) else (post_data or "")
        params = parse_qs(parsed.query if method == "GET" else body)
        self.requests.append((method, parsed.path, params, dict(headers or {})))
        if self.down:
            raise stripe.APIConnectionError("Connection refused (recorded: Stripe down)", should_retry=False)
        answer = self._answer(method, parsed.path, params)
        if answer is None:
            return json.dumps({"error": {"message": "not recorded", "type": "invalid_request_error"}}), 404, {}
        return json.dumps(answer), 200, {"request-id": "req_recorded"}

    def close(self):
        pass
