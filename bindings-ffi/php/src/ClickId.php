<?php

declare(strict_types=1);

namespace ImpactConversions;


/**
 * Click-id capture for any framework: the core decides, from the raw URL and Cookie header,
 * which click id a request carries and which Set-Cookie values to send (byte for byte).
 * ClickIdMiddleware does the same for PSR-15 stacks.
 *
 * $config is the core's click-id configuration (snake_case or camelCase keys), e.g.
 * ['max_age_secs' => 2592000, 'handoff' => ['sister_domains' => ['example-shop.de'], 'secret' => '...']];
 * [] for the defaults (cookie impact_irclickid, 30 days, registrable domain, SameSite=Lax).
 */
final class ClickId
{
    private function __construct()
    {
    }

    /**
     * For frameworks without PSR-15: decides on one request and, with $emit, sends the
     * Set-Cookie headers with header('Set-Cookie: ...', false) (never setcookie(), which
     * re-encodes values).
     *
     * @param string $url the raw request URL: absolute (https://host/path?query) or the request target (/path?query)
     * @param string|null $cookieHeader the raw Cookie header ($_SERVER['HTTP_COOKIE'])
     * @param string $host the Host header, port allowed ($_SERVER['HTTP_HOST'])
     * @param string|bool|null $consent "granted", "denied" or "unknown" (true/false/null)
     * @param string|null $scheme http or https; default: the absolute URL's, else http (no Secure attribute)
     * @param array<string, mixed> $config
     */
    public static function handle(
        string $url,
        ?string $cookieHeader,
        string $host,
        string|bool|null $consent = 'unknown',
        ?string $scheme = null,
        ?string $referer = null,
        ?string $forwardedProto = null,
        #[\SensitiveParameter] array $config = [],
        bool $emit = false,
        int|string|\DateTimeInterface|null $now = null,
    ): CaptureOutcome {
        if ($scheme === null) {
            $given = parse_url($url, PHP_URL_SCHEME);
            $scheme = is_string($given) ? strtolower($given) : 'http';
        }
        $request = ['scheme' => $scheme, 'host' => $host, 'url' => $url, 'consent' => self::consent($consent)];
        if ($cookieHeader !== null && $cookieHeader !== '') {
            $request['cookie'] = $cookieHeader;
        }
        if ($referer !== null && $referer !== '') {
            $request['referer'] = $referer;
        }
        if ($forwardedProto !== null && $forwardedProto !== '') {
            $request['forwarded_proto'] = $forwardedProto;
        }
        $request['now'] = $now;
        $outcome = self::capture($request, $config);
        if ($emit) {
            $outcome->emit();
        }
        return $outcome;
    }

    /**
     * handle() for the current request of a classic PHP SAPI (FPM, Apache): reads $_SERVER
     * (REQUEST_URI, HTTP_COOKIE, HTTP_HOST, HTTPS, HTTP_REFERER, HTTP_X_FORWARDED_PROTO) and
     * sends the Set-Cookie headers unless $emit is false.
     *
     * @param array<string, mixed> $config
     * @param array<string, mixed>|null $server defaults to $_SERVER
     */
    public static function fromGlobals(
        string|bool|null $consent = 'unknown',
        #[\SensitiveParameter] array $config = [],
        bool $emit = true,
        ?array $server = null,
    ): CaptureOutcome {
        $s = $server ?? $_SERVER;
        $https = strtolower((string) ($s['HTTPS'] ?? ''));
        $secure = ($https !== '' && $https !== 'off') || ($s['REQUEST_SCHEME'] ?? '') === 'https';
        return self::handle(
            (string) ($s['REQUEST_URI'] ?? '/'),
            isset($s['HTTP_COOKIE']) ? (string) $s['HTTP_COOKIE'] : null,
            (string) ($s['HTTP_HOST'] ?? $s['SERVER_NAME'] ?? ''),
            $consent,
            $secure ? 'https' : 'http',
            isset($s['HTTP_REFERER']) ? (string) $s['HTTP_REFERER'] : null,
            isset($s['HTTP_X_FORWARDED_PROTO']) ? (string) $s['HTTP_X_FORWARDED_PROTO'] : null,
            $config,
            $emit,
        );
    }

    /**
     * The core's capture on a request array: scheme, host, url or query, cookie, referer,
     * forwarded_proto, consent, now (unix ms, RFC 3339 text or DateTimeInterface; default: now).
     *
     * @param array<string, mixed> $request
     * @param array<string, mixed> $config
     */
    public static function capture(array $request, #[\SensitiveParameter] array $config = []): CaptureOutcome
    {
        return self::captureWith(self::configJson($config), $request);
    }

    /**
     * @param array<string, mixed> $request
     *
     * @internal
     */
    public static function captureWith(#[\SensitiveParameter] string $configJson, array $request): CaptureOutcome
    {
        if (array_key_exists('forwardedProto', $request)) {
            $request['forwarded_proto'] = $request['forwardedProto'];
            unset($request['forwardedProto']);
        }
        if (array_key_exists('consent', $request)) {
            $request['consent'] = self::consent($request['consent']);
        }
        $request['now'] = self::nowValue($request['now'] ?? null);
        $text = Library::call('impact_capture', [$configJson, Json::encodeRequest($request)]);
        return CaptureOutcome::fromArray(Json::decode($text));
    }

    /**
     * The click id stored in a Cookie header, if still within the referral window.
     *
     * @param array<string, mixed> $config
     */
    public static function readStored(
        ?string $cookieHeader,
        #[\SensitiveParameter] array $config = [],
        int|\DateTimeInterface|null $now = null,
    ): ?string {
        $text = Library::call('impact_read_stored', [self::configJson($config), self::cText(self::utf8($cookieHeader ?? ''), 'cookie header'), self::nowMs($now)]);
        $o = Json::decode($text);
        return isset($o['click_id']) ? (string) $o['click_id'] : null;
    }

    /**
     * A link to a sister domain with the click id (or a signed hand-off token when a secret
     * is configured); every other URL, and any URL when there is no click id, comes back unchanged.
     *
     * @param array<string, mixed> $config
     */
    public static function decorateUrl(
        string $url,
        ?string $clickId,
        #[\SensitiveParameter] array $config = [],
        int|\DateTimeInterface|null $now = null,
    ): string {
        if ($clickId === null || $clickId === '') {
            return $url;
        }
        return self::decorate($url, $clickId, $config, $now)->url;
    }

    /**
     * The Set-Cookie values deleting the click-id cookie for $host in both scopes (host-only
     * and registrable domain): for a withdrawn consent or a logout. Send each with
     * header('Set-Cookie: ' . $value, false).
     *
     * @param array<string, mixed> $config
     * @return list<string>
     */
    public static function clear(string $host, #[\SensitiveParameter] array $config = []): array
    {
        $text = Library::call('impact_clear', [self::configJson($config), self::cText($host, 'host')]);
        return array_values(array_map('strval', Json::decode($text)));
    }

    /**
     * decorateUrl() with the details: whether the link was decorated, and warnings (e.g.
     * click_id_invalid).
     *
     * @param array<string, mixed> $config
     */
    public static function decorate(
        string $url,
        string $clickId,
        #[\SensitiveParameter] array $config = [],
        int|\DateTimeInterface|null $now = null,
    ): DecoratedUrl {
        $text = Library::call('impact_decorate_url', [self::configJson($config), self::cText($url, 'url'), self::cText($clickId, 'click id'), self::nowMs($now)]);
        $d = Json::decode($text);
        return new DecoratedUrl((string) ($d['url'] ?? $url), (bool) ($d['decorated'] ?? false), ClickIdWarning::list($d['warnings'] ?? []));
    }

    /**
     * The configuration as the core's JSON: camelCase keys become snake_case.
     *
     * @param array<string, mixed> $config
     *
     * @internal
     */
    public static function configJson(#[\SensitiveParameter] array $config): string
    {
        if ($config === []) {
            return '{}';
        }
        $snake = [];
        foreach ($config as $k => $v) {
            $key = is_string($k) ? strtolower((string) preg_replace('/(?<=[a-z0-9])[A-Z]/', '_$0', $k)) : $k;
            if ($key === 'handoff' && is_array($v)) {
                $h = [];
                foreach ($v as $hk => $hv) {
                    $h[is_string($hk) ? strtolower((string) preg_replace('/(?<=[a-z0-9])[A-Z]/', '_$0', $hk)) : $hk] = $hv;
                }
                $v = (object) $h;
            }
            $snake[$key] = $v;
        }
        try {
            return Json::encode($snake, $notes, false);
        } catch (ValidationException $e) {
            throw new ConfigException('click_id config: ' . $e->getMessage());
        }
    }

    private static function consent(mixed $consent): string
    {
        return match (true) {
            $consent === true => 'granted',
            $consent === false => 'denied',
            $consent === null => 'unknown',
            default => (string) $consent,
        };
    }

    private static function nowValue(mixed $now): int|string
    {
        if ($now === null) {
            return (int) floor(microtime(true) * 1000);
        }
        if ($now instanceof \DateTimeInterface) {
            return (int) $now->format('Uv');
        }
        return is_int($now) ? $now : (string) $now;
    }

    private static function nowMs(int|\DateTimeInterface|null $now): int
    {
        if ($now === null) {
            return (int) floor(microtime(true) * 1000);
        }
        return is_int($now) ? $now : (int) $now->format('Uv');
    }

    /** Bytes that are not UTF-8 replaced by U+FFFD (a cookie is bytes; the core reads text). */
    private static function utf8(string $s): string
    {
        if (preg_match('//u', $s)) {
            return $s;
        }
        return (string) json_decode((string) json_encode($s, JSON_INVALID_UTF8_SUBSTITUTE));
    }

    private static function cText(string $s, string $what): string
    {
        if (str_contains($s, "\0")) {
            throw new ValidationException("the $what contains a NUL byte");
        }
        return $s;
    }
}
