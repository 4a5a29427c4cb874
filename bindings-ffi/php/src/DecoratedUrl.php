<?php

declare(strict_types=1);

namespace ImpactConversions;

/** The result of ClickId::decorate(): the link to put in the page. */
final class DecoratedUrl
{
    /** @param list<ClickIdWarning> $warnings */
    public function __construct(
        /** Decorated, or exactly the input. */
        public readonly string $url,
        /** Whether the click id (or a signed token) was added. */
        public readonly bool $decorated,
        public readonly array $warnings,
    ) {
    }

    public function __toString(): string
    {
        return $this->url;
    }
}
