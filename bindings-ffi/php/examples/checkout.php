<?php // php bindings-ffi/php/examples/checkout.php, with the IMPACT_* variables set (the emulator's are fine)

declare(strict_types=1);

require __DIR__ . '/../tests/bootstrap.php';   // in your application: require 'vendor/autoload.php';

use ImpactConversions\ClickId;
use ImpactConversions\Client;
use ImpactConversions\ImpactException;
use ImpactConversions\RateLimitedException;
use ImpactConversions\ValidationException;

// 1. Landing page, before any output: the click id goes into a first-party cookie (30 days).
//    In a real page: ClickId::fromGlobals(consent: ...) reads $_SERVER and sends the headers.
$landing = ClickId::handle('https://shop.example.com/?irclickid=QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
    cookieHeader: null, host: 'shop.example.com', consent: 'granted');
echo "landing: Set-Cookie: {$landing->setCookie[0]}\n";

// 2. Checkout, days later: the browser sends the cookie back; keep the click id with the order.
$cookieHeader = explode(';', $landing->setCookie[0], 2)[0];   // in a page: $_SERVER['HTTP_COOKIE'] ?? null
$clickId = ClickId::readStored($cookieHeader);

// 3. After payment (better from a queue worker): report the conversion.
$client = Client::fromEnv();   // IMPACT_ACCOUNT_SID, IMPACT_AUTH_TOKEN, IMPACT_BASE_URL; + ['logger' => $psr3Logger]
$order = [
    'CampaignId' => 1000, 'EventTypeId' => 9876, 'OrderId' => 'O-' . bin2hex(random_bytes(4)),
    'EventDate' => new DateTimeImmutable(), 'ClickId' => $clickId,
    'CustomerEmail' => 'Jane.Doe@example.com',            // SHA-256 hashed before it leaves the process
    'CurrencyCode' => 'USD', 'OrderDiscount' => '15.00',   // money as decimal strings (or ints)
    'items' => [
        ['sku' => '1ABC2345', 'quantity' => 2, 'sub_total' => '28.00'],
        ['sku' => '9ZXY7654', 'quantity' => 3, 'sub_total' => '99.00'],
    ],
];
try {
    $receipt = $client->submit($order);
    echo "queued: {$receipt->queuedUri} after {$receipt->attempts} attempt(s)\n";
    $status = $client->waitForSubmission($receipt->queuedUri, 30);
    echo $status->failed() ? "failed: {$status->errorType} {$status->errorReason}\n" : "processed: {$status->status}\n";
} catch (ValidationException $e) {   // nothing was sent
    foreach ($e->issues() as $issue) {
        echo "fix {$issue->path}: {$issue->message}\n";
    }
} catch (RateLimitedException $e) {
    echo 'budget spent: retry the same OrderId after ', $e->resetAt()?->format(DATE_ATOM), "\n";
} catch (ImpactException $e) {
    if (!$e->isRetryable() && $e->errorCode() !== 'unconfirmed') {
        throw $e;   // auth, api, config: retrying cannot help
    }
    echo "not delivered yet ({$e->errorCode()}): retry later with the same OrderId\n";
}
