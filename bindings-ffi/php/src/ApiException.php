<?php

declare(strict_types=1);

namespace ImpactConversions;

/** Another non-retryable 4xx from impact.com; apiErrors() has its field errors. */
final class ApiException extends ImpactException
{
    protected const CODE = 'api';
}
