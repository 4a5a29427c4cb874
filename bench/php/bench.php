<?php

declare(strict_types=1);

/*
 * PHP benchmark, one run against one release emulator (`make bench-php`): conversions per
 * second through the PHP package (FFI over the release C ABI) next to a hand-written PHP
 * client that builds the same form body itself (http_build_query, number_format money,
 * SHA-256 of the email), checks nothing, and POSTs it with curl and basic auth over one
 * kept-alive handle. Sequential, as a PHP request does it. Then the encoding alone.
 */

use ImpactConversions\Client;
use ImpactConversions\Impact;
use ImpactConversions\Library;

$root = dirname(__DIR__, 2);
spl_autoload_register(static function (string $class) use ($root): void {
    if (str_starts_with($class, 'ImpactConversions\\')) {
        require $root . '/bindings-ffi/php/src/' . str_replace('\\', '/', substr($class, strlen('ImpactConversions\\'))) . '.php';
    }
});

const SID = 'IRSANDBOX00000000000000000000001';
const TOKEN = 'sandbox-auth-token';
const EMAIL = ' Jane.Doe@Example.com ';

$n = (int) (getenv('BENCH_N') ?: 3000);
$bin = getenv('IMPACT_SANDBOX_BIN') ?: $root . '/target/release/impact-sandbox';
$proc = proc_open([$bin, '--port', '0', '--hourly-budget', '100000000'], [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
$line = (string) fgets($pipes[1]);
$base = trim(substr($line, strlen('IMPACT_SANDBOX_URL=')));
register_shutdown_function(static function () use ($proc): void {
    proc_terminate($proc);
    proc_close($proc);
});

/** The conversion as an integrator passes it to the package. */
function conversion(string $id): array
{
    return [
        'CampaignId' => 1000, 'EventTypeId' => 9876, 'EventDate' => '2024-08-01T23:55:24-08:00',
        'OrderId' => $id, 'ClickId' => 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0', 'CurrencyCode' => 'USD',
        'OrderDiscount' => '15.00', 'CustomerEmail' => EMAIL,
        'items' => [
            ['sku' => '1ABC2345', 'quantity' => 2, 'sub_total' => '28.00'],
            ['sku' => '9ZXY7654', 'quantity' => 3, 'sub_total' => '99.00'],
        ],
    ];
}

/** The same form body built by hand: what an integrator writes without the package. */
function handBody(string $id): string
{
    return http_build_query([
        'CampaignId' => 1000,
        'EventDate' => '2024-08-01T23:55:24-08:00',
        'OrderId' => $id,
        'EventTypeId' => 9876,
        'ClickId' => 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
        'CurrencyCode' => 'USD',
        'OrderDiscount' => number_format(15, 2, '.', ''),
        'CustomerEmail' => hash('sha256', strtolower(trim(EMAIL))),
        'ItemSku1' => '1ABC2345', 'ItemQuantity1' => 2, 'ItemSubTotal1' => number_format(28, 2, '.', ''),
        'ItemSku2' => '9ZXY7654', 'ItemQuantity2' => 3, 'ItemSubTotal2' => number_format(99, 2, '.', ''),
    ], '', '&', PHP_QUERY_RFC1738);
}

$same = Impact::encode(conversion('X1')) === handBody('X1');

$curl = curl_init($base . '/Advertisers/' . SID . '/Conversions');
curl_setopt_array($curl, [
    CURLOPT_POST => true,
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_USERPWD => SID . ':' . TOKEN,
    CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Accept: application/json'],
    CURLOPT_TIMEOUT => 10,
]);
$hand = static function (string $id) use ($curl): void {
    curl_setopt($curl, CURLOPT_POSTFIELDS, handBody($id));
    $body = curl_exec($curl);
    if (curl_getinfo($curl, CURLINFO_RESPONSE_CODE) !== 200 || !str_contains((string) $body, 'QUEUED')) {
        throw new RuntimeException('hand-written POST failed: ' . $body);
    }
};

$client = new Client(['accountSid' => SID, 'authToken' => TOKEN, 'baseUrl' => $base]);
$logged = new Client(['accountSid' => SID, 'authToken' => TOKEN, 'baseUrl' => $base, 'logger' => new class () extends Psr\Log\AbstractLogger {
    public function log($level, $message, array $context = []): void
    {
        // events are drained and decoded; only writing them out is left out of the timing
    }
}]);
$package = static fn (Client $c) => static function (string $id) use ($c): void {
    $c->submit(conversion($id));
};

/** @param callable(string): void $f */
function rate(string $prefix, int $n, callable $f): float
{
    $start = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $f($prefix . $i);
    }
    return $n / ((hrtime(true) - $start) / 1e9);
}

$runs = [
    'impact package (FFI), no logger' => $package($client),
    'impact package, PSR-3 logger' => $package($logged),
    'hand-written curl + http_build_query' => $hand,
];
foreach ($runs as $label => $f) {
    rate('W' . crc32($label) . '-', 200, $f); // warm up: connections, caches
}
// Three interleaved rounds, so that drift of the machine hits every contender alike.
$rates = array_fill_keys(array_keys($runs), []);
for ($round = 0; $round < 3; $round++) {
    foreach ($runs as $label => $f) {
        $rates[$label][] = rate("R$round-" . crc32($label) . '-', intdiv($n, 3), $f);
    }
}
$median = static function (array $xs): float {
    sort($xs);
    return $xs[intdiv(count($xs), 2)];
};

printf("PHP %s, library %s (%s), emulator %s, %d conversions each, sequential\n", PHP_VERSION, Impact::version(), basename(dirname((string) Library::loadedPath())), basename(dirname($bin)), intdiv($n, 3) * 3);
printf("same form body from both: %s\n", $same ? 'yes' : 'NO');
$result = [];
foreach ($rates as $label => $xs) {
    $result[$label] = $median($xs);
    printf("%-40s %8.0f conversions/s (rounds: %s)\n", $label, $result[$label], implode(', ', array_map(static fn ($x) => sprintf('%.0f', $x), $xs)));
}
$handRate = $result['hand-written curl + http_build_query'];
printf("ratio package/hand-written: %.2f (with a PSR-3 logger %.2f)\n", $result['impact package (FFI), no logger'] / $handRate, $result['impact package, PSR-3 logger'] / $handRate);

// Encoding alone (no network): the core through FFI vs http_build_query by hand.
$m = 20000;
$encode = rate('E', $m, static function (string $id): void {
    Impact::encode(conversion($id));
});
$byHand = rate('H', $m, static function (string $id): void {
    handBody($id);
});
printf("encode only: package %.0f/s (validated), by hand %.0f/s (unchecked), ratio %.2f\n", $encode, $byHand, $encode / $byHand);

$orders = json_decode((string) file_get_contents($base . '/_sandbox/orders'), true);
printf("emulator accepted %d distinct orders\n", count($orders));
