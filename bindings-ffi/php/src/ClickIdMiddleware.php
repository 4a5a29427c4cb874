<?php

declare(strict_types=1);

namespace ImpactConversions;

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Server\MiddlewareInterface;
use Psr\Http\Server\RequestHandlerInterface;
use Psr\Log\LoggerInterface;

/**
 * PSR-15 middleware: captures irclickid on every request with the core, puts the click id
 * (or null) in the request attribute "impact_click_id" (and the whole CaptureOutcome in
 * "impact_click_id_outcome"), and adds the core's exact Set-Cookie values to the response
 * with withAddedHeader() — one header per cookie, never re-encoded.
 *
 * The core reads the raw request: REQUEST_URI from the server params when present (else the
 * request target), every Cookie header joined with "; ", Host, Referer and
 * X-Forwarded-Proto (used only with the config's trust_forwarded_proto).
 */
final class ClickIdMiddleware implements MiddlewareInterface
{
    public const ATTRIBUTE = 'impact_click_id';
    public const OUTCOME_ATTRIBUTE = 'impact_click_id_outcome';

    /**
     * The configuration JSON of each middleware, out of its properties: var_export() and
     * (array) casts, which ignore __debugInfo(), never see the hand-off secret.
     *
     * @var \WeakMap<object, string>|null
     */
    private static ?\WeakMap $configs = null;
    /** The key of this middleware's configuration in $configs (shared by clones). */
    private object $key;
    /** @var \Closure(ServerRequestInterface): (string|bool|null)|string|bool|null */
    private \Closure|string|bool|null $consent;

    /**
     * @param array<string, mixed> $config the core's click-id configuration ([] for the defaults)
     * @param callable(ServerRequestInterface): (string|bool|null)|string|bool|null $consent
     *        "granted", "denied" or "unknown" (true/false/null), or a callable answering it per request
     * @throws ConfigException at once for an unusable configuration
     */
    public function __construct(
        #[\SensitiveParameter] array $config = [],
        callable|string|bool|null $consent = null,
        private readonly string $attribute = self::ATTRIBUTE,
        private readonly ?LoggerInterface $logger = null,
    ) {
        $json = ClickId::configJson($config);
        // The configuration is checked now, not on the first request.
        ClickId::captureWith($json, ['scheme' => 'https', 'host' => 'localhost', 'now' => 0]);
        self::$configs ??= new \WeakMap();
        $this->key = new \stdClass();
        self::$configs[$this->key] = $json;
        $fixed = is_string($consent) && in_array($consent, ['granted', 'denied', 'unknown'], true);
        $this->consent = !$fixed && is_callable($consent) ? \Closure::fromCallable($consent) : $consent;
        if (is_string($this->consent) && !$fixed) {
            throw new ConfigException("consent must be granted, denied, unknown, a bool or a callable, not \"$consent\"");
        }
    }

    public function process(ServerRequestInterface $request, RequestHandlerInterface $handler): ResponseInterface
    {
        $outcome = null;
        try {
            $outcome = ClickId::captureWith(self::$configs[$this->key] ?? '{}', $this->describe($request));
            $request = $request->withAttribute($this->attribute, $outcome->clickId)
                ->withAttribute(self::OUTCOME_ATTRIBUTE, $outcome);
        } catch (ImpactException $e) {
            // A request the core cannot read (e.g. an invalid Host): no click id, no cookie.
            $this->logger?->warning('impact click-id capture failed: ' . $e->getMessage(), ['code' => $e->errorCode()]);
            $request = $request->withAttribute($this->attribute, null);
        }
        $response = $handler->handle($request);
        foreach ($outcome?->setCookie ?? [] as $cookie) {
            $response = $response->withAddedHeader('Set-Cookie', $cookie);
        }
        return $response;
    }

    /** @return array<string, mixed> */
    public function __debugInfo(): array
    {
        $config = json_decode(self::$configs[$this->key] ?? '{}', true);
        if (isset($config['handoff']['secret'])) {
            $config['handoff']['secret'] = '***';
        }
        if (isset($config['handoff']['previous_secrets'])) {
            $config['handoff']['previous_secrets'] = array_map(static fn () => '***', (array) $config['handoff']['previous_secrets']);
        }
        return ['config' => $config, 'attribute' => $this->attribute];
    }

    /** @return array<string, mixed> the capture request of the core */
    private function describe(ServerRequestInterface $request): array
    {
        $server = $request->getServerParams();
        $uri = $request->getUri();
        $scheme = $uri->getScheme();
        if ($scheme === '') {
            $https = strtolower((string) ($server['HTTPS'] ?? ''));
            $scheme = ($https !== '' && $https !== 'off') ? 'https' : 'http';
        }
        $host = $request->getHeader('Host')[0] ?? '';
        if ($host === '') {
            $host = $uri->getHost() . ($uri->getPort() !== null ? ':' . $uri->getPort() : '');
        }
        $consent = $this->consent instanceof \Closure ? ($this->consent)($request) : $this->consent;
        $out = [
            'scheme' => $scheme,
            'host' => $host,
            'url' => isset($server['REQUEST_URI']) && is_string($server['REQUEST_URI']) ? $server['REQUEST_URI'] : $request->getRequestTarget(),
            'consent' => $consent,
        ];
        $cookies = $request->getHeader('Cookie');
        if ($cookies !== []) {
            $out['cookie'] = implode('; ', $cookies);
        }
        $referer = $request->getHeaderLine('Referer');
        if ($referer !== '') {
            $out['referer'] = $referer;
        }
        $proto = $request->getHeaderLine('X-Forwarded-Proto');
        if ($proto !== '') {
            $out['forwarded_proto'] = $proto;
        }
        return $out;
    }
}
