// Tally from your Node.js server (18+): a shopper's customer token, and coins credited and
// debited with your secret key. `npm install jsonwebtoken`; run: node tally.mjs cus_123 order-1042
import jwt from "jsonwebtoken";

const { TALLY_URL, TALLY_WORKSPACE_ID, TALLY_SECRET_KEY, TALLY_IDENTITY_SECRET } = process.env;

// For <tally-wallet customer-token="…">: signed with the identity secret exactly as shown.
export function customerToken(customerId) {
  return jwt.sign({ sub: customerId }, TALLY_IDENTITY_SECRET, { algorithm: "HS256", expiresIn: "1h" });
}

// Idempotent: a retry with the same key is answered once, never paid twice.
async function coins(direction, customerId, amount, reason, idempotencyKey) {
  const r = await fetch(`${TALLY_URL}/v1/customers/${encodeURIComponent(customerId)}/coins/${direction}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${TALLY_SECRET_KEY}`,
      "x-workspace-id": TALLY_WORKSPACE_ID,
      "idempotency-key": idempotencyKey,
      "content-type": "application/json",
    },
    body: JSON.stringify({ amount, reason }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(`${body.error.code}: ${body.error.message}`);
  return body;
}
export const credit = (...args) => coins("credit", ...args);
export const debit = (...args) => coins("debit", ...args);

const [customer = "cus_123", order = "order-1042"] = process.argv.slice(2);
await credit(customer, 10, `Order ${order}`, `${order}-credit`);
const { balance } = await debit(customer, 5, `Redeemed on ${order}`, `${order}-debit`);
console.log(JSON.stringify({ customer, balance, token: customerToken(customer) }));
