# Tally from your Python server (3.9+): a shopper's customer token, and coins credited and
# debited with your secret key. `pip install PyJWT`; run: python tally.py cus_123 order-1042
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import jwt

TALLY_URL = os.environ["TALLY_URL"]
WORKSPACE_ID = os.environ["TALLY_WORKSPACE_ID"]
SECRET_KEY = os.environ["TALLY_SECRET_KEY"]
IDENTITY_SECRET = os.environ["TALLY_IDENTITY_SECRET"]


def customer_token(customer_id):
    """For <tally-wallet customer-token="...">: signed with the identity secret as shown."""
    now = int(time.time())
    return jwt.encode({"sub": customer_id, "iat": now, "exp": now + 3600}, IDENTITY_SECRET, algorithm="HS256")


def coins(direction, customer_id, amount, reason, idempotency_key):
    """Idempotent: a retry with the same key is answered once, never paid twice."""
    request = urllib.request.Request(
        f"{TALLY_URL}/v1/customers/{urllib.parse.quote(customer_id, safe='')}/coins/{direction}",
        data=json.dumps({"amount": amount, "reason": reason}).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {SECRET_KEY}",
            "X-Workspace-Id": WORKSPACE_ID,
            "Idempotency-Key": idempotency_key,
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        error = json.load(e)["error"]
        raise RuntimeError(f"{error['code']}: {error['message']}") from None


if __name__ == "__main__":
    customer = sys.argv[1] if len(sys.argv) > 1 else "cus_123"
    order = sys.argv[2] if len(sys.argv) > 2 else "order-1042"
    coins("credit", customer, 10, f"Order {order}", f"{order}-credit")
    balance = coins("debit", customer, 5, f"Redeemed on {order}", f"{order}-debit")["balance"]
    print(json.dumps({"customer": customer, "balance": balance, "token": customer_token(customer)}))
