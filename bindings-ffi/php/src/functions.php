<?php

declare(strict_types=1);

// Function forms of the static API, loaded by Composer's "files" autoload.

namespace ImpactConversions;

if (!function_exists('ImpactConversions\validate')) {
    /** @see Impact::validate() */
    function validate(array|object $conversion): ValidationReport
    {
        return Impact::validate($conversion);
    }

    /** @see Impact::encode() */
    function encode(array|object $conversion): string
    {
        return Impact::encode($conversion);
    }

    /** @see Impact::allocateDiscount() */
    function allocateDiscount(array|object $conversion): Allocation
    {
        return Impact::allocateDiscount($conversion);
    }

    /** @see ClickId::capture() */
    function capture(array $request, #[\SensitiveParameter] array $config = []): CaptureOutcome
    {
        return ClickId::capture($request, $config);
    }

    /** @see ClickId::readStored() */
    function readStored(?string $cookieHeader, #[\SensitiveParameter] array $config = [], int|\DateTimeInterface|null $now = null): ?string
    {
        return ClickId::readStored($cookieHeader, $config, $now);
    }

    /**
     * @see ClickId::clear()
     * @param array<string, mixed> $config
     * @return list<string>
     */
    function clearClickId(string $host, #[\SensitiveParameter] array $config = []): array
    {
        return ClickId::clear($host, $config);
    }

    /** @see ClickId::decorateUrl() */
    function decorateUrl(string $url, ?string $clickId, #[\SensitiveParameter] array $config = [], int|\DateTimeInterface|null $now = null): string
    {
        return ClickId::decorateUrl($url, $clickId, $config, $now);
    }

    /**
     * The plain click-id function for frameworks without PSR-15 (@see ClickId::handle()).
     *
     * @param array<string, mixed> $config
     */
    function captureClickId(
        string $url,
        ?string $cookieHeader,
        string $host,
        string|bool|null $consent = 'unknown',
        ?string $scheme = null,
        ?string $referer = null,
        ?string $forwardedProto = null,
        #[\SensitiveParameter] array $config = [],
        bool $emit = false,
    ): CaptureOutcome {
        return ClickId::handle($url, $cookieHeader, $host, $consent, $scheme, $referer, $forwardedProto, $config, $emit);
    }
}
