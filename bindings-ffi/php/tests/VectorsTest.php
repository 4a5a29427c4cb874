<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\ClickId;
use ImpactConversions\Impact;
use ImpactConversions\ImpactException;
use ImpactConversions\Issue;
use ImpactConversions\ValidationException;
use PHPUnit\Framework\TestCase;

/**
 * The shared conformance vectors (tests/vectors), read with PHP's own JSON parser into PHP
 * values (floats stay floats: the float traps are the point) and run through the public
 * API; results must equal the Rust core's byte for byte.
 */
final class VectorsTest extends TestCase
{
    private const DIR = __DIR__ . '/../../../tests/vectors/';

    /** @return array<string, array{array<string, mixed>}> */
    public static function conversionVectors(): array
    {
        return self::read('conversions');
    }

    /** @return array<string, array{array<string, mixed>}> */
    public static function clickIdVectors(): array
    {
        return self::read('clickid');
    }

    public function testEveryVectorIsRead(): void
    {
        self::assertGreaterThanOrEqual(90, count(self::conversionVectors()));
        self::assertGreaterThanOrEqual(110, count(self::clickIdVectors()));
    }

    /**
     * @dataProvider conversionVectors
     * @param array<string, mixed> $v
     */
    public function testConversionVector(array $v): void
    {
        $input = $v['input'];
        $expect = $v['expect'];
        $report = Impact::validate($input);
        if (array_key_exists('body', $expect)) {
            self::assertSame([], self::keys($report->errors, true), 'no errors');
            self::assertTrue($report->isValid());
            self::assertSame($expect['body'], Impact::encode($input));
            self::assertSame(self::keys($expect['warnings'] ?? [], false), self::keys($report->warnings, false));
            if (isset($expect['discount'])) {
                $allocation = Impact::allocateDiscount($input);
                self::assertSame($expect['discount'], $allocation->shares());
                foreach ($allocation->items as $share) {
                    self::assertIsString($share->share);
                    self::assertIsString($share->net);
                }
            }
            return;
        }
        self::assertFalse($report->isValid());
        self::assertSame(self::keys($expect['errors'], true), self::keys($report->errors, true));
        try {
            Impact::encode($input);
            self::fail('encode accepted an invalid conversion');
        } catch (ValidationException $e) {
            self::assertSame('validation', $e->errorCode());
            self::assertSame(self::keys($expect['errors'], true), self::keys($e->issues(), true));
        }
    }

    /**
     * @dataProvider clickIdVectors
     * @param array<string, mixed> $v
     */
    public function testClickIdVector(array $v): void
    {
        $config = $v['config'] ?? [];
        $expected = $v['expected'] ?? [];
        if (isset($v['clear'])) {
            self::assertSame($expected['set_cookie'], ClickId::clear($v['clear']['host'], $config));
            self::assertSame($expected['set_cookie'], \ImpactConversions\clearClickId($v['clear']['host'], $config));
            return;
        }
        if (isset($v['decorate'])) {
            $d = $v['decorate'];
            $out = ClickId::decorate($d['url'], $d['click_id'], $config, $d['now']);
            self::assertSame($expected['url'], $out->url);
            self::assertSame($expected['decorated'], $out->decorated);
            self::assertSame(self::codes($expected['warnings'] ?? []), self::codes($out->warnings));
            self::assertSame($expected['url'], ClickId::decorateUrl($d['url'], $d['click_id'], $config, $d['now']));
            return;
        }
        $request = $v['request'];
        foreach ($v['request_fill'] ?? [] as $field => $fill) {
            $request[$field] = ($fill['prefix'] ?? '') . str_repeat($fill['repeat'], $fill['times']) . ($fill['suffix'] ?? '');
        }
        if (isset($v['expected_error'])) {
            try {
                ClickId::capture($request, $config);
                self::fail('expected ' . $v['expected_error']['code']);
            } catch (ImpactException $e) {
                self::assertSame($v['expected_error']['code'], $e->errorCode(), $e->getMessage());
            }
            return;
        }
        $out = ClickId::capture($request, $config);
        self::assertSame($expected['set_cookie'], $out->setCookie, 'Set-Cookie byte for byte');
        self::assertSame($expected['click_id'], $out->clickId);
        self::assertSame($expected['store'], $out->store);
        self::assertSame($expected['source'], $out->source);
        self::assertSame($expected['captured_at'], $out->capturedAt);
        self::assertSame(self::codes($expected['warnings'] ?? []), self::codes($out->warnings));
    }

    /** @return array<string, array{array<string, mixed>}> */
    private static function read(string $kind): array
    {
        $out = [];
        foreach (glob(self::DIR . $kind . '/*.json') ?: [] as $file) {
            $out[basename($file)] = [json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR)];
        }
        return $out;
    }

    /**
     * "code|path|field" of each issue, sorted (the vectors compare sets).
     *
     * @param list<Issue|array<string, string>> $issues
     * @return list<string>
     */
    private static function keys(array $issues, bool $withField): array
    {
        $out = [];
        foreach ($issues as $i) {
            $i = $i instanceof Issue ? $i->toArray() : $i;
            $out[] = $i['code'] . '|' . $i['path'] . '|' . ($withField ? ($i['field'] ?? '') : '');
        }
        sort($out);
        return $out;
    }

    /**
     * @param list<object|array<string, string>> $warnings
     * @return list<string>
     */
    private static function codes(array $warnings): array
    {
        $out = array_map(static fn ($w) => is_array($w) ? $w['code'] : $w->code, $warnings);
        sort($out);
        return $out;
    }
}
