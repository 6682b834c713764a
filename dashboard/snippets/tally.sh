#!/usr/bin/env bash
# Tally with curl: a shopper's customer token minted by Tally with your secret key, and coins
# credited and debited. Run: bash tally.sh cus_123 order-1042
set -euo pipefail
customer="${1:-cus_123}" order="${2:-order-1042}"
auth=(-H "Authorization: Bearer $TALLY_SECRET_KEY" -H "X-Workspace-Id: $TALLY_WORKSPACE_ID" -H "Content-Type: application/json")

# For <tally-wallet customer-token="…">, valid one hour.
curl -sS --fail-with-body "${auth[@]}" -X POST "$TALLY_URL/v1/customer-tokens" \
  -d "{\"customer_id\": \"$customer\", \"ttl_seconds\": 3600}"
echo

# Idempotent: a retry with the same Idempotency-Key is answered once, never paid twice.
curl -sS --fail-with-body "${auth[@]}" -H "Idempotency-Key: $order-credit" -X POST \
  "$TALLY_URL/v1/customers/$customer/coins/credit" -d "{\"amount\": 10, \"reason\": \"Order $order\"}"
echo
curl -sS --fail-with-body "${auth[@]}" -H "Idempotency-Key: $order-debit" -X POST \
  "$TALLY_URL/v1/customers/$customer/coins/debit" -d "{\"amount\": 5, \"reason\": \"Redeemed on $order\"}"
echo
