<?php
// Tally from your PHP server (8+, no extension beyond json): a shopper's customer token, and
// coins credited and debited with your secret key. Run: php tally.php cus_123 order-1042

function b64url(string $bytes): string {
    return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
}

// For <tally-wallet customer-token="…">: HS256, signed with the identity secret as shown.
function tally_customer_token(string $customerId): string {
    $now = time();
    $head = b64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT']));
    $claims = b64url(json_encode(['sub' => $customerId, 'iat' => $now, 'exp' => $now + 3600]));
    $signature = hash_hmac('sha256', "$head.$claims", getenv('TALLY_IDENTITY_SECRET'), true);
    return "$head.$claims." . b64url($signature);
}

// Idempotent: a retry with the same key is answered once, never paid twice.
function tally_coins(string $direction, string $customerId, int $amount, string $reason, string $idempotencyKey): array {
    $url = getenv('TALLY_URL') . '/v1/customers/' . rawurlencode($customerId) . "/coins/$direction";
    $context = stream_context_create(['http' => [
        'method' => 'POST',
        'ignore_errors' => true,
        'header' => implode("\r\n", [
            'Authorization: Bearer ' . getenv('TALLY_SECRET_KEY'),
            'X-Workspace-Id: ' . getenv('TALLY_WORKSPACE_ID'),
            "Idempotency-Key: $idempotencyKey",
            'Content-Type: application/json',
        ]),
        'content' => json_encode(['amount' => $amount, 'reason' => $reason]),
    ]]);
    $body = json_decode(file_get_contents($url, false, $context), true);
    if (isset($body['error'])) {
        throw new RuntimeException($body['error']['code'] . ': ' . $body['error']['message']);
    }
    return $body;
}

$customer = $argv[1] ?? 'cus_123';
$order = $argv[2] ?? 'order-1042';
tally_coins('credit', $customer, 10, "Order $order", "$order-credit");
$balance = tally_coins('debit', $customer, 5, "Redeemed on $order", "$order-debit")['balance'];
echo json_encode(['customer' => $customer, 'balance' => $balance, 'token' => tally_customer_token($customer)]), "\n";
