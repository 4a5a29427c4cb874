<?php

declare(strict_types=1);

namespace ImpactConversions;

/** A field error from impact.com's 400 answer (ApiException::apiErrors()). */
final class ApiFieldError
{
    public function __construct(
        public readonly ?string $field,
        public readonly string $message,
    ) {
    }
}
