<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\ApiException;
use ImpactConversions\AuthException;
use ImpactConversions\Client;
use ImpactConversions\ConfigException;
use ImpactConversions\ImpactException;
use ImpactConversions\RateLimitedException;
use ImpactConversions\Receipt;
use ImpactConversions\TimeoutException;
use ImpactConversions\TransportException;
use ImpactConversions\UnconfirmedException;
use ImpactConversions\ValidationException;
use ImpactConversions\Tests\Support\MemoryLogger;
use ImpactConversions\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/** The Client against the emulator (bindings-ffi/tests/with-sandbox.sh). */
final class ClientTest extends TestCase
{
    protected function setUp(): void
    {
        Sandbox::reset();
    }

    public function testSubmitWaitAndStatus(): void
    {
        $client = Sandbox::client();
        $receipt = $client->submit(Sandbox::order('P-ok'));
        self::assertSame('QUEUED', $receipt->status);
        self::assertSame(1, $receipt->attempts);
        self::assertStringStartsWith('/Advertisers/' . Sandbox::SID . '/APISubmissions/', $receipt->queuedUri);
        self::assertStringEndsWith('/' . $receipt->submissionId, $receipt->queuedUri);
        self::assertSame([], $receipt->warnings);
        self::assertSame(['P-ok' => 1], Sandbox::orders());

        $sent = Sandbox::requests()[0];
        self::assertSame('POST', $sent['method']);
        self::assertSame(\ImpactConversions\Impact::encode(Sandbox::order('P-ok')), $sent['body'], 'the exact encoded body is what goes out');
        $agent = '';
        foreach ($sent['headers'] as [$name, $value]) {
            if (strtolower($name) === 'user-agent') {
                $agent = $value;
            }
        }
        self::assertStringContainsString('php', $agent);

        $status = $client->waitForSubmission($receipt->queuedUri, 5);
        self::assertTrue($status->complete);
        self::assertSame('Complete', $status->status);
        self::assertFalse($status->failed());
        self::assertSame('P-ok', $status->raw['OrderId']);
        self::assertSame($receipt->submissionId, $client->submissionStatus($receipt->submissionId)->submissionId);

        // The same (event type, OrderId) again: queued, then failed as a duplicate.
        $again = $client->submit(Sandbox::order('P-ok'));
        $dup = $client->waitForSubmission($again->submissionId, 5);
        self::assertTrue($dup->failed());
        self::assertSame('CONV_DUPLICATE', $dup->errorReason);
    }

    public function testScriptedFaultsAreRetriedAndLogged(): void
    {
        $logger = new MemoryLogger();
        $client = Sandbox::client(['logger' => $logger]);
        Sandbox::script([['status' => 503], ['fault' => 'drop'], ['fault' => 'reset_mid_body']]);
        $receipt = $client->submit(Sandbox::order('P-retry'));
        self::assertSame(4, $receipt->attempts);
        self::assertSame(['P-retry' => 1], Sandbox::orders(), 'delivered exactly once');
        self::assertCount(4, Sandbox::requests());

        self::assertSame(['attempt', 'retry', 'attempt', 'retry', 'attempt', 'retry', 'attempt', 'success'], $logger->events());
        $levels = array_column($logger->records, 'level');
        self::assertSame(['debug', 'info', 'debug', 'info', 'debug', 'info', 'debug', 'info'], $levels);
        $retry = $logger->records[1];
        self::assertSame('submit', $retry['context']['operation']);
        self::assertSame('P-retry', $retry['context']['order_id']);
        self::assertSame(503, $retry['context']['status']);
        self::assertIsInt($retry['context']['delay_ms']);
        self::assertStringContainsString('impact.com submit P-retry: attempt 1 failed (HTTP 503)', $retry['message']);
        self::assertStringNotContainsString(Sandbox::TOKEN, $logger->text());

        // Nothing is left queued for the next call.
        $logger->records = [];
        $client->submit(Sandbox::order('P-retry-2'));
        self::assertSame(['attempt', 'success'], $logger->events());
    }

    public function testRateLimitedWithResetAt(): void
    {
        $client = Sandbox::client();
        Sandbox::script([['status' => 429, 'rate_limit_reset' => ['delta' => 600]]]);
        $start = microtime(true);
        try {
            $client->submit(Sandbox::order('P-429'));
            self::fail('expected rate_limited');
        } catch (RateLimitedException $e) {
            self::assertLessThan(1.0, microtime(true) - $start, 'a reset beyond the deadline fails at once');
            self::assertSame('rate_limited', $e->errorCode());
            self::assertSame(5, $e->getCode());
            self::assertTrue($e->isRetryable());
            self::assertSame(429, $e->status());
            $resetAt = $e->resetAt();
            self::assertInstanceOf(\DateTimeImmutable::class, $resetAt);
            self::assertSame('+00:00', $resetAt->format('P'));
            self::assertEqualsWithDelta(time() + 600, $resetAt->getTimestamp(), 5);
            self::assertSame($resetAt->getTimestamp(), $e->resetAtTimestamp());
        }
        self::assertSame([], Sandbox::orders());
    }

    public function testSpentHourlyBudget(): void
    {
        Sandbox::control('POST', 'config', ['hourly_budget' => 1]);
        try {
            $client = Sandbox::client();
            $client->submit(Sandbox::order('P-budget-1'));
            $start = microtime(true);
            try {
                $client->submit(Sandbox::order('P-budget-2'));
                self::fail('expected rate_limited');
            } catch (RateLimitedException $e) {
                self::assertLessThan(1.0, microtime(true) - $start);
                self::assertGreaterThan(time() + 5, $e->resetAtTimestamp());
            }
        } finally {
            Sandbox::control('POST', 'config', ['hourly_budget' => 1000]);
        }
        self::assertSame(['P-budget-1' => 1], Sandbox::orders());
    }

    public function testValidationErrorsSendNothing(): void
    {
        $client = Sandbox::client();
        try {
            $client->submit(['OrderId' => 'P-invalid', 'CurrencyCode' => 'USD', 'Amount' => 0.1 + 0.2]);
            self::fail('expected validation');
        } catch (ValidationException $e) {
            self::assertSame('validation', $e->errorCode());
            self::assertSame(1, $e->getCode());
            self::assertFalse($e->isRetryable());
            $codes = array_map(static fn ($i) => $i->code . '|' . $i->path, $e->issues());
            self::assertContains('too_many_decimals|amount', $codes);
            self::assertContains('required|campaign_id', $codes);
            self::assertGreaterThanOrEqual(4, count($e->issues()));
            self::assertStringStartsWith('invalid conversion:', $e->getMessage());
        }
        self::assertSame([], Sandbox::requests(), 'nothing was sent');
    }

    public function testAuthErrors(): void
    {
        $client = Sandbox::client(['authToken' => 'wrong-token']);
        try {
            $client->submit(Sandbox::order('P-auth'));
            self::fail('expected auth');
        } catch (AuthException $e) {
            self::assertSame('auth', $e->errorCode());
            self::assertSame(401, $e->status());
            self::assertSame(1, $e->attempts(), '401 is never retried');
            self::assertFalse($e->isRetryable());
        }
        Sandbox::script([['status' => 403]]);
        try {
            Sandbox::client()->submit(Sandbox::order('P-403'));
            self::fail('expected auth');
        } catch (AuthException $e) {
            self::assertSame(403, $e->status());
        }
        self::assertSame([], Sandbox::orders());
    }

    public function testApiErrorsAreNotRetried(): void
    {
        $client = Sandbox::client();
        foreach ([400, 404, 422] as $status) {
            Sandbox::script([['status' => $status]]);
            try {
                $client->submit(Sandbox::order('P-api'));
                self::fail("expected api for $status");
            } catch (ApiException $e) {
                self::assertSame($status, $e->status());
                self::assertSame(1, $e->attempts());
            }
        }
        Sandbox::script([['status' => 400, 'body' => '{"Status":"ERROR","Message":"1 invalid parameter(s)","Errors":[{"Field":"OrderId","Message":"OrderId is taken"}]}']]);
        try {
            $client->submit(Sandbox::order('P-api-fields'));
            self::fail('expected api');
        } catch (ApiException $e) {
            self::assertCount(1, $e->apiErrors());
            self::assertSame('OrderId', $e->apiErrors()[0]->field);
            self::assertSame('OrderId is taken', $e->apiErrors()[0]->message);
        }
    }

    public function testTransportTimeoutAndUnconfirmed(): void
    {
        Sandbox::script([['status' => 503], ['status' => 502]]);
        try {
            Sandbox::client(['maxAttempts' => 2])->submit(Sandbox::order('P-transport'));
            self::fail('expected transport');
        } catch (TransportException $e) {
            self::assertSame(2, $e->attempts());
            self::assertSame(502, $e->status());
            self::assertTrue($e->isRetryable());
        }

        Sandbox::script([['delay_ms' => 3000]]);
        $start = microtime(true);
        try {
            Sandbox::client(['deadlineMs' => 400, 'attemptTimeoutMs' => 300, 'maxAttempts' => 1])->submit(Sandbox::order('P-timeout'));
            self::fail('expected timeout or transport');
        } catch (TimeoutException | TransportException $e) {
            self::assertTrue($e->isRetryable());
            self::assertLessThan(2.0, microtime(true) - $start);
        }

        Sandbox::script([['fault' => 'garbage_2xx']]);
        try {
            Sandbox::client()->submit(Sandbox::order('P-unconfirmed'));
            self::fail('expected unconfirmed');
        } catch (UnconfirmedException $e) {
            self::assertSame('unconfirmed', $e->errorCode());
            self::assertFalse($e->isRetryable(), 'resubmit the same OrderId instead');
        }
    }

    public function testDeadlineGivesTimeout(): void
    {
        Sandbox::script(array_fill(0, 50, ['status' => 503]));
        $start = microtime(true);
        try {
            Sandbox::client(['deadlineMs' => 300, 'baseDelayMs' => 50, 'maxDelayMs' => 100, 'maxAttempts' => 1000])->submit(Sandbox::order('P-deadline'));
            self::fail('expected timeout');
        } catch (TimeoutException $e) {
            self::assertSame('timeout', $e->errorCode());
            self::assertSame(7, $e->getCode());
            self::assertLessThan(2.0, microtime(true) - $start);
        }
    }

    public function testSubmitManyKeepsKeysOrderAndEachError(): void
    {
        $client = Sandbox::client();
        $results = $client->submitMany([
            'a' => Sandbox::order('P-m1'),
            'b' => ['OrderId' => 'P-m2'],
            'c' => Sandbox::order('P-m3') + ['Bogus' => 1],
            'd' => Sandbox::order('P-m4'),
            'e' => ['Note' => fopen('php://memory', 'r')] + Sandbox::order('P-m5'),
        ], 2);
        self::assertSame(['a', 'b', 'c', 'd', 'e'], array_keys($results));
        self::assertInstanceOf(Receipt::class, $results['a']);
        self::assertInstanceOf(Receipt::class, $results['d']);
        self::assertInstanceOf(ValidationException::class, $results['b']);
        self::assertInstanceOf(ValidationException::class, $results['c']);
        self::assertSame(['unknown_field'], array_map(static fn ($i) => $i->code, $results['c']->issues()), 'its own issue');
        self::assertInstanceOf(ValidationException::class, $results['e']);
        self::assertSame('note', $results['e']->issues()[0]->path);
        self::assertStringContainsString('a PHP resource (stream) was given', $results['e']->issues()[0]->message);
        self::assertSame(['P-m1' => 1, 'P-m4' => 1], Sandbox::orders());
        self::assertSame([], $client->submitMany([]));
    }

    public function testModifyAndReverseActions(): void
    {
        $client = Sandbox::client();
        $modified = $client->modifyAction(['action_id' => '1000.4321.98765', 'reason' => 'ITEM_RETURNED', 'amount' => '10.00']);
        self::assertSame('QUEUED', $modified->status);
        $reversed = $client->reverseAction(['ActionId' => '1000.4321.98765', 'DispositionCode' => 'ITEM_RETURNED']);
        self::assertSame('QUEUED', $reversed->status);
        $methods = array_column(Sandbox::requests(), 'method');
        self::assertSame(['PUT', 'DELETE'], $methods);
        self::assertSame('Modification', $client->submissionStatus($modified->queuedUri)->raw['Type']);
        try {
            $client->reverseAction(['action_id' => '1000.4321.98765', 'disposition_code' => 'NOT_A_CODE']);
            self::fail('expected validation');
        } catch (ValidationException $e) {
            self::assertNotSame([], $e->issues() ?: [$e->getMessage()]);
        }
    }

    public function testOptionsAndConfigErrors(): void
    {
        $cases = [
            [['accountSid' => Sandbox::SID], 'auth_token is missing'],
            [['accountSid' => 'nope', 'authToken' => 't'], 'account_sid must be'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'baseUrl' => 'http://api.example.com'], 'must use https'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'maxAttempts' => 0], 'max_attempts must be at least 1'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'deadlineMS' => 5], 'did you mean deadlineMs?'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'deadlineMs' => 1.5], 'deadlineMs must be a whole number of milliseconds'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'logger' => 'stdout'], 'logger must be a Psr\Log\LoggerInterface'],
            [['accountSid' => Sandbox::SID, 'authToken' => 't', 'auth_token' => 'u'], 'authToken is given twice (as authToken and auth_token)'],
        ];
        foreach ($cases as [$options, $message]) {
            try {
                new Client($options);
                self::fail("accepted: $message");
            } catch (ConfigException $e) {
                self::assertSame('config', $e->errorCode());
                self::assertStringContainsString($message, $e->getMessage());
            }
        }
        // snake_case spellings are the same options
        $client = new Client(['account_sid' => Sandbox::SID, 'auth_token' => Sandbox::TOKEN, 'base_url' => Sandbox::url(), 'deadline_ms' => 5000]);
        self::assertSame('QUEUED', $client->submit(Sandbox::order('P-snake'))->status);

        $client->close();
        $client->close();
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessage('the client is closed');
        $client->submit(Sandbox::order('P-closed'));
    }

    public function testFromEnv(): void
    {
        $saved = [getenv('IMPACT_ACCOUNT_SID'), getenv('IMPACT_AUTH_TOKEN'), getenv('IMPACT_BASE_URL')];
        putenv('IMPACT_ACCOUNT_SID=' . Sandbox::SID);
        putenv('IMPACT_AUTH_TOKEN=' . Sandbox::TOKEN);
        putenv('IMPACT_BASE_URL=' . Sandbox::url());
        try {
            $logger = new MemoryLogger();
            $client = Client::fromEnv(['logger' => $logger, 'deadlineMs' => 5000]);
            self::assertSame('QUEUED', $client->submit(Sandbox::order('P-env'))->status);
            self::assertSame(['attempt', 'success'], $logger->events());
            // An option given in any spelling wins over the environment.
            try {
                Client::fromEnv(['auth_token' => 'wrong'])->submit(Sandbox::order('P-env-2'));
                self::fail('the environment won over the option');
            } catch (AuthException) {
            }
            putenv('IMPACT_AUTH_TOKEN');
            try {
                Client::fromEnv();
                self::fail('expected config');
            } catch (ConfigException $e) {
                self::assertStringContainsString('IMPACT_AUTH_TOKEN', $e->getMessage());
            }
        } finally {
            foreach (['IMPACT_ACCOUNT_SID', 'IMPACT_AUTH_TOKEN', 'IMPACT_BASE_URL'] as $i => $name) {
                putenv($saved[$i] === false ? $name : "$name={$saved[$i]}");
            }
        }
    }

    public function testClientCannotBeClonedOrSerialized(): void
    {
        $client = Sandbox::client();
        try {
            clone $client;
            self::fail('cloned');
        } catch (\LogicException $e) {
            self::assertStringContainsString('cannot be cloned', $e->getMessage());
        }
        $this->expectException(\LogicException::class);
        serialize($client);
    }

    public function testForkedWorkersKeepUsingTheClient(): void
    {
        if (!function_exists('pcntl_fork')) {
            self::markTestSkipped('pcntl is not available');
        }
        // A queue worker builds the client, then forks (Horizon, pcntl-based workers): the
        // library rebuilds its runtime and connections in each child.
        $client = Sandbox::client();
        $client->submit(Sandbox::order('P-parent-1'));
        $results = [];
        $children = [];
        for ($k = 0; $k < 2; $k++) {
            $file = (string) tempnam(sys_get_temp_dir(), 'impact-fork-');
            $pid = pcntl_fork();
            if ($pid === 0) {
                try {
                    $r = $client->submit(Sandbox::order("P-child-$k"));
                    file_put_contents($file, $r->status);
                } catch (\Throwable $e) {
                    file_put_contents($file, get_class($e) . ': ' . $e->getMessage());
                }
                posix_kill(posix_getpid(), SIGKILL); // leave without PHPUnit's shutdown
            }
            $children[$pid] = $file;
        }
        foreach ($children as $pid => $file) {
            pcntl_waitpid($pid, $status);
            $results[] = (string) file_get_contents($file);
            unlink($file);
        }
        self::assertSame(['QUEUED', 'QUEUED'], $results);
        self::assertSame('QUEUED', $client->submit(Sandbox::order('P-parent-2'))->status);
        $orders = Sandbox::orders();
        ksort($orders);
        self::assertSame(['P-child-0' => 1, 'P-child-1' => 1, 'P-parent-1' => 1, 'P-parent-2' => 1], $orders);
    }

    public function testManyClientsAndCallsFreeTheirMemory(): void
    {
        // Warm up, then check that 300 client lifecycles and calls leave PHP's heap flat.
        $run = static function (int $i): void {
            $client = Sandbox::client();
            $client->submit(Sandbox::order("P-mem-$i"));
            try {
                $client->submit(['OrderId' => "P-mem-bad-$i"]);
            } catch (ImpactException) {
            }
        };
        for ($i = 0; $i < 20; $i++) {
            $run($i);
        }
        gc_collect_cycles();
        $before = memory_get_usage();
        for ($i = 20; $i < 320; $i++) {
            $run($i);
        }
        gc_collect_cycles();
        self::assertLessThan(64 * 1024, memory_get_usage() - $before);
        self::assertCount(320, Sandbox::orders());
    }
}
