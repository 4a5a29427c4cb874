<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\AuthException;
use ImpactConversions\ClickIdMiddleware;
use ImpactConversions\Client;
use ImpactConversions\ConfigException;
use ImpactConversions\ImpactException;
use ImpactConversions\Tests\Support\MemoryLogger;
use ImpactConversions\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/** The AuthToken (and the hand-off secret) never shows: dumps, messages, traces, logs. */
final class SecretsTest extends TestCase
{
    private const TOKEN = 'T0KEN-that-must-never-show-4f9c';
    private const SECRET = 'handoff-secret-that-must-never-show-0123456789';

    /** Every way PHP prints a value. */
    private static function dumps(mixed $value): string
    {
        if ($value instanceof \Throwable) {
            // Keep the frames of the package, arguments included, and drop PHPUnit's frames
            // above them (their arguments hold the whole test run, too big to print).
            $own = static fn (array $f): bool => str_starts_with(($f['class'] ?? '') . '::' . $f['function'], 'ImpactConversions\\')
                && !str_starts_with(($f['class'] ?? '') . '::', 'ImpactConversions\\Tests\\');
            $property = new \ReflectionProperty($value instanceof \Exception ? \Exception::class : \Error::class, 'trace');
            $property->setValue($value, array_values(array_filter($value->getTrace(), $own)));
        }
        ob_start();
        var_dump($value);
        $out = (string) ob_get_clean();
        $out .= print_r($value, true);
        $out .= var_export($value, true);
        $out .= json_encode($value);
        $out .= print_r((array) $value, true);
        if ($value instanceof \Throwable) {
            $out .= (string) $value . $value->getMessage() . $value->getTraceAsString();
        }
        return $out;
    }

    protected function setUp(): void
    {
        self::assertSame('0', ini_get('zend.exception_ignore_args'), 'traces keep their arguments here, as on a development machine');
        Sandbox::reset();
    }

    public function testClientDumps(): void
    {
        $client = new Client(['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'baseUrl' => Sandbox::url(), 'maxAttempts' => 2]);
        $text = self::dumps($client);
        self::assertStringNotContainsString(self::TOKEN, $text);
        self::assertStringContainsString('***', $text);
        self::assertStringContainsString(Sandbox::SID, $text, 'the account SID is not a secret');
    }

    public function testConfigErrorsAndTheirTraces(): void
    {
        foreach ([
            ['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'maxAttempts' => 0],
            ['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'baseUrl' => 'http://impact.example.com'],
            ['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'bogus' => 1],
            ['accountSid' => 'not-a-sid', 'authToken' => self::TOKEN],
        ] as $options) {
            try {
                new Client($options);
                self::fail('accepted');
            } catch (ConfigException $e) {
                $frames = array_values(array_filter($e->getTrace(), static fn (array $f) => ($f['class'] ?? '') === Client::class && $f['function'] === '__construct'));
                self::assertInstanceOf(\SensitiveParameterValue::class, $frames[0]['args'][0] ?? null, 'the options are redacted in traces');
                self::assertStringNotContainsString(self::TOKEN, self::dumps($e));
            }
        }
        putenv('IMPACT_AUTH_TOKEN=' . self::TOKEN);
        try {
            Client::fromEnv(['accountSid' => 'nope']);
            self::fail('accepted');
        } catch (ConfigException $e) {
            self::assertStringNotContainsString(self::TOKEN, self::dumps($e));
        } finally {
            putenv('IMPACT_AUTH_TOKEN');
        }
    }

    public function testAuthFailureMessagesAndLogs(): void
    {
        $logger = new MemoryLogger();
        $client = new Client(['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'baseUrl' => Sandbox::url(), 'logger' => $logger]);
        try {
            $client->submit(Sandbox::order('S-auth'));
            self::fail('accepted');
        } catch (AuthException $e) {
            self::assertStringNotContainsString(self::TOKEN, self::dumps($e));
            self::assertStringNotContainsString(self::TOKEN, self::dumps($e->toArray()));
        }
        self::assertSame(['attempt', 'give_up'], $logger->events());
        self::assertSame('warning', $logger->records[1]['level']);
        self::assertStringNotContainsString(self::TOKEN, $logger->text());

        Sandbox::script([['status' => 503], ['status' => 503], ['status' => 503]]);
        try {
            (new Client(['accountSid' => Sandbox::SID, 'authToken' => self::TOKEN, 'baseUrl' => Sandbox::url(), 'logger' => $logger,
                'maxAttempts' => 3, 'baseDelayMs' => 1, 'maxDelayMs' => 2]))->submit(Sandbox::order('S-transport'));
            self::fail('accepted');
        } catch (ImpactException $e) {
            self::assertStringNotContainsString(self::TOKEN, self::dumps($e));
        }
        self::assertStringNotContainsString(self::TOKEN, $logger->text());
        foreach (Sandbox::requests() as $r) {
            self::assertStringNotContainsString(self::TOKEN, json_encode($r));
        }
    }

    public function testHandoffSecretInTheMiddleware(): void
    {
        $middleware = new ClickIdMiddleware(['handoff' => ['sister_domains' => ['example-shop.de'], 'secret' => self::SECRET]], 'granted');
        $text = self::dumps($middleware);
        self::assertStringNotContainsString(self::SECRET, $text);
        self::assertStringContainsString('example-shop.de', $text);
        try {
            new ClickIdMiddleware(['handoff' => ['sister_domains' => ['example-shop.de'], 'secret' => 'short-' . substr(self::SECRET, 0, 6)]]);
            self::fail('a short secret was accepted');
        } catch (ConfigException $e) {
            self::assertStringNotContainsString('short-' . substr(self::SECRET, 0, 6), self::dumps($e));
        }
    }
}
