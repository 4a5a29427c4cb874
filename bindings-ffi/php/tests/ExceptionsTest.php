<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\ApiFieldError;
use ImpactConversions\ConfigException;
use ImpactConversions\Impact;
use ImpactConversions\ImpactException;
use ImpactConversions\InternalException;
use ImpactConversions\Issue;
use ImpactConversions\RateLimitedException;
use ImpactConversions\ValidationException;
use PHPUnit\Framework\TestCase;

final class ExceptionsTest extends TestCase
{
    /** @return array<string, int> IMPACT_STATUS_* name => value, from the committed header */
    private static function statusTable(): array
    {
        $header = (string) file_get_contents(__DIR__ . '/../../include/impact_conversions.h');
        preg_match_all('/IMPACT_STATUS_([A-Z_]+) = (\d+),/', $header, $m, PREG_SET_ORDER);
        $out = [];
        foreach ($m as [, $name, $value]) {
            $out[$name] = (int) $value;
        }
        return $out;
    }

    public function testOneClassPerStatusOfTheHeader(): void
    {
        $table = self::statusTable();
        self::assertSame(0, $table['OK']);
        unset($table['OK']);
        self::assertCount(9, $table);
        foreach ($table as $name => $number) {
            $code = strtolower($name);
            $class = 'ImpactConversions\\' . str_replace(' ', '', ucwords(str_replace('_', ' ', $code))) . 'Exception';
            self::assertTrue(class_exists($class), $class);
            $e = ImpactException::fromJson(json_encode(['code' => $code, 'message' => "a $code error"]));
            self::assertInstanceOf($class, $e);
            self::assertInstanceOf(ImpactException::class, $e);
            self::assertInstanceOf(\RuntimeException::class, $e);
            self::assertSame($code, $e->errorCode());
            self::assertSame($number, $e->getCode(), 'getCode() is the status number');
            self::assertSame("a $code error", $e->getMessage());
            self::assertSame(in_array($code, ['rate_limited', 'transport', 'timeout'], true), $e->isRetryable());
            self::assertSame(ImpactException::CODES[$code], $number);
            // Constructed directly, each class carries its own code.
            $direct = new $class('direct');
            self::assertSame($code, $direct->errorCode());
        }
    }

    public function testEveryFieldOfTheErrorJson(): void
    {
        $e = ImpactException::fromJson(json_encode([
            'code' => 'rate_limited', 'message' => 'budget spent', 'status' => 429, 'attempts' => 2,
            'reset_at' => 1767225600, 'api_errors' => [['field' => null, 'message' => 'slow down']],
            'issues' => [['code' => 'required', 'path' => 'order_id', 'field' => 'OrderId', 'message' => 'OrderId is required']],
        ]));
        self::assertInstanceOf(RateLimitedException::class, $e);
        self::assertSame(429, $e->status());
        self::assertSame(2, $e->attempts());
        self::assertSame('2026-01-01T00:00:00+00:00', $e->resetAt()?->format(DATE_ATOM));
        self::assertSame(1767225600, $e->resetAtTimestamp());
        self::assertEquals([new ApiFieldError(null, 'slow down')], $e->apiErrors());
        self::assertEquals([new Issue('required', 'order_id', 'OrderId', 'OrderId is required')], $e->issues());
        self::assertSame([
            'code' => 'rate_limited', 'message' => 'budget spent',
            'issues' => [['code' => 'required', 'path' => 'order_id', 'field' => 'OrderId', 'message' => 'OrderId is required']],
            'status' => 429, 'attempts' => 2, 'reset_at' => 1767225600,
            'api_errors' => [['field' => null, 'message' => 'slow down']],
        ], $e->toArray());

        $bare = new ConfigException('no');
        self::assertNull($bare->status());
        self::assertNull($bare->attempts());
        self::assertNull($bare->resetAt());
        self::assertSame([], $bare->issues());
        self::assertSame([], $bare->apiErrors());
    }

    public function testUnknownAndUnreadableErrors(): void
    {
        $future = ImpactException::fromJson('{"code":"quota","message":"a code newer than this package"}');
        self::assertSame(ImpactException::class, get_class($future));
        self::assertSame('quota', $future->errorCode());
        self::assertInstanceOf(InternalException::class, ImpactException::fromJson('not json'));
    }

    public function testValidationExceptionFromTheLibrary(): void
    {
        try {
            Impact::encode(['CampaignId' => 0, 'OrderId' => '', 'EventDate' => new \DateTimeImmutable('2024-08-01 23:55:24', new \DateTimeZone('-08:00'))]);
            self::fail('accepted');
        } catch (ValidationException $e) {
            $paths = array_map(static fn (Issue $i) => $i->path, $e->issues());
            self::assertContains('campaign_id', $paths);
            self::assertContains('order_id', $paths);
            self::assertNotContains('event_date', $paths, 'a DateTimeInterface is RFC 3339 with its offset');
            self::assertStringContainsString(count($e->issues()) . ' problems', $e->getMessage());
        }
    }

    public function testUnsupportedPhpValuesAreNamed(): void
    {
        $report = Impact::validate([
            'CampaignId' => 1000, 'EventTypeId' => 9876, 'EventDate' => '2024-08-01T23:55:24-08:00',
            'OrderId' => 'O1', 'ClickId' => 'abc', 'Note' => static fn () => 'x', 'Text1' => "caf\xE9",
        ]);
        $byPath = [];
        foreach ($report->errors as $i) {
            $byPath[$i->path] = $i;
        }
        self::assertSame('invalid_type', $byPath['note']->code);
        self::assertSame('Note', $byPath['note']->field);
        self::assertStringContainsString('(a PHP Closure was given', $byPath['note']->message);
        self::assertSame('invalid_type', $byPath['text1']->code);
        self::assertStringContainsString('(a PHP string that is not UTF-8 was given', $byPath['text1']->message);

        try {
            Impact::encode(['OrderId' => 'O1', 'items' => [['sku' => new \ArrayObject(), 'quantity' => 1, 'price' => '1.00']]]);
            self::fail('accepted');
        } catch (ValidationException $e) {
            self::assertStringContainsString('a PHP ArrayObject was given', $e->getMessage());
            $sku = array_values(array_filter($e->issues(), static fn (Issue $i) => $i->path === 'items[0].sku'));
            self::assertStringContainsString('a PHP ArrayObject was given', $sku[0]->message);
            foreach ($e->issues() as $i) {
                if ($i->path !== 'items[0].sku') {
                    self::assertStringNotContainsString('ArrayObject', $i->message);
                }
            }
        }
    }

    public function testItemsKeyedByLineIdAreAList(): void
    {
        $order = ['CampaignId' => 1000, 'EventTypeId' => 9876, 'EventDate' => '2024-08-01T23:55:24-08:00',
            'OrderId' => 'O1', 'ClickId' => 'abc', 'CurrencyCode' => 'USD',
            'items' => [17 => ['sku' => 'A', 'quantity' => 1, 'price' => '1.00'], 42 => ['sku' => 'B', 'quantity' => 2, 'price' => 3]]];
        self::assertStringEndsWith('&ItemSku1=A&ItemQuantity1=1&ItemPrice1=1.00&ItemSku2=B&ItemQuantity2=2&ItemPrice2=3.00', Impact::encode($order));
        self::assertStringEndsWith('&CurrencyCode=USD', Impact::encode(['items' => []] + $order));
    }

    public function testExceptionsSerializeWithTheirFields(): void
    {
        $e = ImpactException::fromJson('{"code":"transport","message":"gave up","status":503,"attempts":5}');
        $back = unserialize(serialize($e));
        self::assertSame('transport', $back->errorCode());
        self::assertSame(5, $back->attempts());
        self::assertSame(503, $back->status());
    }
}
