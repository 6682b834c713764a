"""Credentials for schemathesis (tests/contract): the demo workspace's keys and its admin.

The OpenAPI document declares every credential as a security scheme (key, workspace id,
customer token; session cookie, CSRF token, PIN), so schemathesis never invents them; these
providers supply the real ones from the demo state (`.tally/demo.json` layout, path in
TALLY_DEMO_STATE). The admin signs in once: a 401 never triggers another sign-in (sign-ins
are rate-limited, and `PUT /v1/admin/pin` answers 401 to a wrong password by design).
"""

import json
import os
from http.cookies import SimpleCookie

import requests
import schemathesis

BASE = os.environ["TALLY_BASE_URL"]
with open(os.environ["TALLY_DEMO_STATE"], encoding="utf-8") as f:
    DEMO = json.load(f)


@schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"^/v1/(?!admin/)")
class DataPlane:
    """A secret key from a server, as the merchant's backend calls the API."""

    def get(self, case, ctx):
        return DEMO

    def set(self, case, data, ctx):
        headers = dict(case.headers or {})
        headers["Authorization"] = f"Bearer {data['secret_key']}"
        headers["X-Workspace-Id"] = data["workspace_id"]
        # The widget's read is about the shopper its customer token names.
        if case.path == "/v1/widget":
            headers["X-Customer-Token"] = data["customer_token"]
        case.headers = headers


@schemathesis.auth(refresh_interval=100_000, retry_on=[]).apply_to(path_regex=r"^/v1/admin/")
class Dashboard:
    """The demo superadmin's session, its CSRF token and PIN."""

    def get(self, case, ctx):
        r = requests.post(
            f"{BASE}/v1/admin/session",
            json={"email": DEMO["admin_email"], "password": DEMO["admin_password"]},
            timeout=30,
        )
        r.raise_for_status()
        jar = SimpleCookie()
        jar.load(r.headers["Set-Cookie"])
        return {"session": jar["tally_session"].value, "csrf": r.json()["csrf_token"]}

    def set(self, case, data, ctx):
        case.cookies = {**(case.cookies or {}), "tally_session": data["session"]}
        case.headers = {
            **(case.headers or {}),
            "X-CSRF-Token": data["csrf"],
            "X-Confirm-Pin": DEMO["admin_pin"],
        }
