<?php

declare(strict_types=1);

namespace ImpactConversions;

/** A non-fatal click-id finding: a stable code (e.g. "click_id_invalid") and a message. */
final class ClickIdWarning
{
    public function __construct(
        public readonly string $code,
        public readonly string $message,
    ) {
    }

    /**
     * @return list<ClickIdWarning>
     *
     * @internal
     */
    public static function list(mixed $list): array
    {
        $out = [];
        foreach (is_array($list) ? $list : [] as $w) {
            $out[] = new self((string) ($w['code'] ?? ''), (string) ($w['message'] ?? ''));
        }
        return $out;
    }
}
