<?php

declare(strict_types=1);

namespace ImpactConversions;

/**
 * What to do with irclickid on one request: the click id to use (for this request and a
 * conversion it leads to) and the exact Set-Cookie header values to send, in order.
 */
final class CaptureOutcome
{
    /**
     * @param list<string> $setCookie
     * @param list<ClickIdWarning> $warnings
     */
    public function __construct(
        public readonly ?string $clickId,
        /** "query", "handoff", "referer", "cookie", or null. */
        public readonly ?string $source,
        /** Whether the id is (kept) in the cookie; false with a clickId: this request only. */
        public readonly bool $store,
        /** When the click was first captured (unix ms); null for legacy cookie values. */
        public readonly ?int $capturedAt,
        /** Set-Cookie values, byte for byte: send each as its own header. */
        public readonly array $setCookie,
        public readonly array $warnings,
    ) {
    }

    /**
     * Sends the Set-Cookie headers with header('Set-Cookie: ...', false), never setcookie()
     * (which would re-encode the value). Returns false, with a warning, when output has
     * already started and headers can no longer be sent.
     */
    public function emit(): bool
    {
        if ($this->setCookie === []) {
            return true;
        }
        if (headers_sent($file, $line)) {
            trigger_error("impact-conversions: cannot send the click-id cookie, output started at $file:$line", E_USER_WARNING);
            return false;
        }
        foreach ($this->setCookie as $value) {
            header('Set-Cookie: ' . $value, false);
        }
        return true;
    }

    /** @internal */
    public static function fromArray(array $o): self
    {
        return new self(
            isset($o['click_id']) ? (string) $o['click_id'] : null,
            isset($o['source']) ? (string) $o['source'] : null,
            (bool) ($o['store'] ?? false),
            isset($o['captured_at']) ? (int) $o['captured_at'] : null,
            array_map('strval', $o['set_cookie'] ?? []),
            ClickIdWarning::list($o['warnings'] ?? []),
        );
    }
}
