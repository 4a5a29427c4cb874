<?php

declare(strict_types=1);

namespace ImpactConversions\Tests;

use ImpactConversions\CaptureOutcome;
use ImpactConversions\ClickId;
use ImpactConversions\ClickIdMiddleware;
use ImpactConversions\ConfigException;
use ImpactConversions\Library;
use ImpactConversions\Tests\Support\MemoryLogger;
use ImpactConversions\Tests\Support\PhpServer;
use Nyholm\Psr7\Factory\Psr17Factory;
use Nyholm\Psr7\Response;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\RequestHandlerInterface;
use PHPUnit\Framework\TestCase;

/** Click ids: the PSR-15 middleware and the plain function, with the core's exact Set-Cookie strings. */
final class ClickIdTest extends TestCase
{
    private const NOW = 1700000000000;
    private const COOKIE = 'impact_irclickid=1.1700000000000.Abc:1; Max-Age=2592000; Domain=example.com; Path=/; Secure; HttpOnly; SameSite=Lax';

    /** A handler that records the request it got and answers with a Set-Cookie of its own. */
    private static function handler(): RequestHandlerInterface
    {
        return new class () implements RequestHandlerInterface {
            public ?ServerRequestInterface $seen = null;

            public function handle(ServerRequestInterface $request): ResponseInterface
            {
                $this->seen = $request;
                return (new Response(200, ['Set-Cookie' => 'session=s1; Path=/']))->withBody(
                    (new Psr17Factory())->createStream((string) $request->getAttribute(ClickIdMiddleware::ATTRIBUTE))
                );
            }
        };
    }

    /** @param array<string, string> $headers @param array<string, mixed> $server */
    private static function request(string $uri, array $headers = [], array $server = []): ServerRequestInterface
    {
        $request = (new Psr17Factory())->createServerRequest('GET', $uri, $server);
        foreach ($headers as $name => $value) {
            $request = $request->withHeader($name, $value);
        }
        return $request;
    }

    /** Set-Cookie values the middleware added (the handler's own session cookie comes first). */
    private static function added(ResponseInterface $response): array
    {
        $all = $response->getHeader('Set-Cookie');
        self::assertSame('session=s1; Path=/', $all[0], "the handler's own cookie is kept");
        return array_slice($all, 1);
    }

    public function testMiddlewareLandingReturnAndConsent(): void
    {
        $consent = static fn (ServerRequestInterface $r): string => $r->getHeaderLine('X-Consent') === 'no' ? 'denied' : 'granted';
        $middleware = new ClickIdMiddleware([], $consent);

        // Landing: the cookie is set, the click id is on the request.
        $before = (int) floor(microtime(true) * 1000);
        $handler = self::handler();
        $response = $middleware->process(self::request('https://www.example.com/landing?irclickid=Abc:1', ['Host' => 'www.example.com']), $handler);
        $after = (int) floor(microtime(true) * 1000);
        self::assertSame('Abc:1', (string) $response->getBody());
        $cookies = self::added($response);
        self::assertCount(1, $cookies);
        self::assertMatchesRegularExpression('/^impact_irclickid=1\.(\d{13})\.Abc:1; Max-Age=2592000; Domain=example\.com; Path=\/; Secure; HttpOnly; SameSite=Lax$/', $cookies[0]);
        preg_match('/\.(\d{13})\./', $cookies[0], $m);
        self::assertGreaterThanOrEqual($before, (int) $m[1]);
        self::assertLessThanOrEqual($after, (int) $m[1]);
        $outcome = $handler->seen?->getAttribute(ClickIdMiddleware::OUTCOME_ATTRIBUTE);
        self::assertInstanceOf(CaptureOutcome::class, $outcome);
        self::assertSame($outcome->setCookie, $cookies, 'byte for byte what the core wrote');
        self::assertSame('query', $outcome->source);

        // Return visit: read from the cookie, nothing written.
        $pair = explode(';', $cookies[0], 2)[0];
        $response = $middleware->process(self::request('https://www.example.com/checkout', ['Host' => 'www.example.com', 'Cookie' => "theme=dark; $pair"]), self::handler());
        self::assertSame('Abc:1', (string) $response->getBody());
        self::assertSame([], self::added($response));

        // Consent denied, no cookie yet: nothing is written.
        $response = $middleware->process(self::request('https://www.example.com/?irclickid=Z2', ['Host' => 'www.example.com', 'X-Consent' => 'no']), self::handler());
        self::assertSame([], self::added($response));

        // Consent denied with the cookie: only deletions.
        $response = $middleware->process(self::request('https://www.example.com/?irclickid=Z2', ['Host' => 'www.example.com', 'X-Consent' => 'no', 'Cookie' => $pair]), self::handler());
        $deleted = self::added($response);
        self::assertNotSame([], $deleted);
        foreach ($deleted as $c) {
            self::assertStringContainsString('Max-Age=0', $c);
            self::assertStringStartsWith('impact_irclickid=;', $c);
        }
    }

    public function testMiddlewareUsesTheRawRequest(): void
    {
        $middleware = new ClickIdMiddleware([], true);
        // Two Cookie headers, a legacy host-only copy and a Domain copy: two Set-Cookie values, in order.
        $captured = (int) floor(microtime(true) * 1000) - 86_400_000;
        $handler = self::handler();
        $response = $middleware->process(self::request('https://www.example.com/', [
            'Host' => 'www.example.com', 'Cookie' => 'impact_irclickid=legacy1',
        ])->withAddedHeader('Cookie', "impact_irclickid=1.$captured.new1"), $handler);
        self::assertSame('new1', (string) $response->getBody());
        $cookies = self::added($response);
        self::assertCount(2, $cookies);
        self::assertSame('impact_irclickid=; Max-Age=0; Path=/', $cookies[0]);
        self::assertStringStartsWith("impact_irclickid=1.$captured.new1; Max-Age=", $cookies[1]);

        // REQUEST_URI (raw, still percent-encoded) wins over the PSR-7 URI.
        $response = $middleware->process(self::request('https://www.example.com/landing', ['Host' => 'www.example.com'], ['REQUEST_URI' => '/landing?irclickid=Pct%3A9', 'HTTPS' => 'on']), self::handler());
        self::assertSame('Pct:9', (string) $response->getBody());
        self::assertStringContainsString('.Pct:9; Max-Age=2592000; Domain=example.com;', self::added($response)[0]);

        // Plain http: no Secure attribute.
        $response = $middleware->process(self::request('http://shop.example.org/?irclickid=h1', ['Host' => 'shop.example.org']), self::handler());
        self::assertStringEndsWith('.h1; Max-Age=2592000; Domain=example.org; Path=/; HttpOnly; SameSite=Lax', self::added($response)[0]);
    }

    public function testMiddlewareConfigAndBadRequests(): void
    {
        try {
            new ClickIdMiddleware(['max_age_secs' => 0]);
            self::fail('accepted');
        } catch (ConfigException $e) {
            self::assertSame('config', $e->errorCode());
        }
        try {
            new ClickIdMiddleware(['cookieName' => 'bad name;']);
            self::fail('accepted');
        } catch (ConfigException $e) {
            self::assertStringContainsString('cookie', $e->getMessage());
        }

        // camelCase configuration keys are the core's snake_case ones.
        $middleware = new ClickIdMiddleware(['cookieName' => 'irc', 'maxAgeSecs' => 3600], 'granted', 'click');
        $handler = self::handler();
        $response = $middleware->process(self::request('https://www.example.com/?irclickid=c1', ['Host' => 'www.example.com']), $handler);
        self::assertStringStartsWith('irc=1.', self::added($response)[0]);
        self::assertStringContainsString('; Max-Age=3600;', self::added($response)[0]);
        self::assertSame('c1', $handler->seen?->getAttribute('click'));

        // A Host that is not a host name: no click id stored, the request goes on.
        $handler = self::handler();
        $response = (new ClickIdMiddleware([], 'granted'))->process(self::request('https://www.example.com/?irclickid=x1', ['Host' => 'bad host']), $handler);
        self::assertSame(200, $response->getStatusCode());
        self::assertSame([], self::added($response));

        // A request the core refuses (here a consent answer it does not know): logged, no click id.
        $logger = new MemoryLogger();
        $middleware = new ClickIdMiddleware([], static fn () => 'maybe', ClickIdMiddleware::ATTRIBUTE, $logger);
        $handler = self::handler();
        $response = $middleware->process(self::request('https://www.example.com/?irclickid=x1', ['Host' => 'www.example.com']), $handler);
        self::assertSame(200, $response->getStatusCode());
        self::assertNull($handler->seen?->getAttribute(ClickIdMiddleware::ATTRIBUTE));
        self::assertSame([], self::added($response));
        self::assertSame('warning', $logger->records[0]['level'] ?? null);
        self::assertStringContainsString('impact click-id capture failed', $logger->records[0]['message']);
    }

    public function testPlainFunction(): void
    {
        $landing = ClickId::handle('https://www.example.com/landing?irclickid=Abc:1', null, 'www.example.com', 'granted', now: self::NOW);
        self::assertSame('Abc:1', $landing->clickId);
        self::assertSame([self::COOKIE], $landing->setCookie);

        $fn = \ImpactConversions\captureClickId('/landing?irclickid=Abc:1', '', 'www.example.com', true, scheme: 'https');
        self::assertSame('Abc:1', $fn->clickId);
        self::assertCount(1, $fn->setCookie);

        $back = ClickId::handle('/checkout', 'a=1; impact_irclickid=1.1700000000000.Abc:1', 'www.example.com', 'granted', scheme: 'https', now: self::NOW + 1000);
        self::assertSame('Abc:1', $back->clickId);
        self::assertSame('cookie', $back->source);
        self::assertSame([], $back->setCookie);

        $denied = ClickId::handle('https://www.example.com/?irclickid=Abc:1', null, 'www.example.com', 'denied', now: self::NOW);
        self::assertSame([], $denied->setCookie);
        self::assertFalse($denied->store);

        // Unknown consent follows the configuration (denied by default).
        self::assertSame([], ClickId::handle('https://www.example.com/?irclickid=Abc:1', null, 'www.example.com', now: self::NOW)->setCookie);
        self::assertCount(1, ClickId::handle('https://www.example.com/?irclickid=Abc:1', null, 'www.example.com', null, config: ['consent_unknown' => 'granted'], now: self::NOW)->setCookie);

        self::assertSame('Abc:1', ClickId::readStored('impact_irclickid=1.1700000000000.Abc:1', [], self::NOW + 1000));
        self::assertNull(ClickId::readStored(null));
        self::assertNull(ClickId::readStored("impact_irclickid=caf\xE9"));

        $config = ['allowed_domains' => ['example.com'], 'handoff' => ['sister_domains' => ['example-shop.de']]];
        self::assertSame('https://www.example-shop.de/?irclickid=Abc:1', ClickId::decorateUrl('https://www.example-shop.de/', 'Abc:1', $config, self::NOW));
        self::assertSame('https://www.example-shop.de/', ClickId::decorateUrl('https://www.example-shop.de/', null, $config));
        self::assertSame('https://elsewhere.example/', ClickId::decorateUrl('https://elsewhere.example/', 'Abc:1', $config));
    }

    public function testPlainPhpSiteEmitsTheExactHeaders(): void
    {
        // The cli-server SAPI with ffi.enable=1 (what FPM needs without preloading).
        $server = new PhpServer(__DIR__ . '/fixtures/router.php', ['ffi.enable=1', 'error_log=/dev/stderr']);
        $this->assertSite($server);
    }

    public function testFfiPreloadUnderTheDefaultFfiEnable(): void
    {
        // ffi.enable=preload (the default) outside the CLI: without preloading it is refused...
        $server = new PhpServer(__DIR__ . '/fixtures/router.php', ['display_errors=1']);
        $r = $server->get('/?irclickid=x', ['Host: www.example.com']);
        self::assertStringContainsString('FFI is disabled here by ffi.enable=preload', $r['body']);
        unset($server);

        // ...and with ffi.preload (bin/impact-ffi-header) plus opcache.preload of the package it works.
        if (!PhpServer::hasOpcache()) {
            self::markTestSkipped('opcache.so is not installed (Debian: php-opcache)');
        }
        $header = tempnam(sys_get_temp_dir(), 'impact-h-');
        $out = [];
        exec(escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg(dirname(__DIR__) . '/bin/impact-ffi-header') . ' ' . escapeshellarg($header) . ' 2>&1', $out, $rc);
        self::assertSame(0, $rc, implode("\n", $out));
        self::assertStringStartsWith("#define FFI_SCOPE \"IMPACT_CONVERSIONS\"\n#define FFI_LIB \"", (string) file_get_contents($header));
        try {
            $server = new PhpServer(__DIR__ . '/fixtures/router.php', [
                'ffi.enable=preload', "ffi.preload=$header", 'opcache.enable=1', 'opcache.enable_cli=1',
                'opcache.preload=' . dirname(__DIR__) . '/preload.php', 'opcache.preload_user=' . (function_exists('posix_geteuid') ? (posix_getpwuid(posix_geteuid())['name'] ?? 'root') : 'root'),
            ]);
            $this->assertSite($server, '(preloaded scope IMPACT_CONVERSIONS)');
        } finally {
            @unlink($header);
        }
    }

    private function assertSite(PhpServer $server, ?string $library = null): void
    {
        foreach (['globals', 'function'] as $mode) {
            $landing = $server->get("/landing?mode=$mode&irclickid=Abc:1", ['Host: www.example.com', 'X-Forwarded-Proto: https', 'X-Consent: granted']);
            self::assertSame(200, $landing['status'], $server->log() . $landing['body']);
            $body = json_decode($landing['body'], true);
            self::assertSame('Abc:1', $body['click_id']);
            if ($library !== null) {
                self::assertSame($library, $body['library']);
            }
            $cookies = PhpServer::setCookies($landing);
            self::assertSame($body['set_cookie'], $cookies, "$mode: header() sent the core's strings byte for byte");
            self::assertCount(1, $cookies);
            // setcookie() would have sent Abc%3A1; fromGlobals saw plain http (no Secure), the function was told https.
            $secure = $mode === 'function' ? ' Secure;' : '';
            self::assertMatchesRegularExpression('/^impact_irclickid=1\.\d{13}\.Abc:1; Max-Age=2592000; Domain=example\.com; Path=\/;' . $secure . ' HttpOnly; SameSite=Lax$/', $cookies[0]);

            $pair = explode(';', $cookies[0], 2)[0];
            $back = $server->get("/checkout?mode=$mode", ['Host: www.example.com', "Cookie: $pair"]);
            self::assertSame('Abc:1', json_decode($back['body'], true)['click_id']);
            self::assertSame([], PhpServer::setCookies($back));

            $denied = $server->get("/?mode=$mode&irclickid=Abc:1", ['Host: www.example.com', 'X-Consent: denied']);
            self::assertSame([], PhpServer::setCookies($denied), 'consent denied writes nothing');
        }
    }
}
