<?php

declare(strict_types=1);

namespace ImpactConversions\Tests\Support;

use ImpactConversions\Client;
use PHPUnit\Framework\Assert;

/** The emulator started by bindings-ffi/tests/with-sandbox.sh, and its control API. */
final class Sandbox
{
    public const SID = 'IRSANDBOX00000000000000000000001';
    public const TOKEN = 'sandbox-auth-token';

    public static function url(): string
    {
        $url = getenv('IMPACT_SANDBOX_URL');
        if ($url === false || $url === '') {
            Assert::fail('IMPACT_SANDBOX_URL is not set: run the tests with bash bindings-ffi/tests/with-sandbox.sh (make php-test)');
        }
        return $url;
    }

    /** @param array<string, mixed>|null $body */
    public static function control(string $method, string $path, ?array $body = null): mixed
    {
        $ch = curl_init(self::url() . '/_sandbox/' . $path);
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => ['Content-Type: application/json'],
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode($body));
        }
        $text = curl_exec($ch);
        $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        Assert::assertSame(200, $status, "control $method $path: $text");
        return json_decode((string) $text, true);
    }

    public static function reset(): void
    {
        self::control('POST', 'reset');
    }

    /** @param list<array<string, mixed>> $responses */
    public static function script(array $responses): void
    {
        self::control('POST', 'script', ['responses' => $responses]);
    }

    /** @return array<string, int> OrderId => conversions answered 200 QUEUED */
    public static function orders(): array
    {
        return self::control('GET', 'orders') ?: [];
    }

    /** @return list<array<string, mixed>> */
    public static function requests(): array
    {
        return self::control('GET', 'requests') ?: [];
    }

    /** @param array<string, mixed> $options */
    public static function client(array $options = []): Client
    {
        return new Client($options + [
            'accountSid' => self::SID,
            'authToken' => self::TOKEN,
            'baseUrl' => self::url(),
            'baseDelayMs' => 10,
            'maxDelayMs' => 50,
            'deadlineMs' => 5000,
            'attemptTimeoutMs' => 1000,
        ]);
    }

    /** @return array<string, mixed> the README's example conversion with its own OrderId */
    public static function order(string $id): array
    {
        return [
            'CampaignId' => 1000,
            'EventTypeId' => 9876,
            'EventDate' => '2024-08-01T23:55:24-08:00',
            'OrderId' => $id,
            'ClickId' => 'QiiWXOVnrQ3SQHl24jQjyxBGUkmzfJ3i1VHrWM0',
            'CurrencyCode' => 'USD',
            'OrderDiscount' => '15.00',
            'items' => [
                ['sku' => '1ABC2345', 'quantity' => 2, 'sub_total' => '28.00'],
                ['sku' => '9ZXY7654', 'quantity' => 3, 'sub_total' => '99.00'],
            ],
        ];
    }
}
