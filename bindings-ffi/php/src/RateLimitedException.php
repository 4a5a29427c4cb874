<?php

declare(strict_types=1);

namespace ImpactConversions;

/** The hourly budget is spent and its reset does not fit the deadline: retry after resetAt(). */
final class RateLimitedException extends ImpactException
{
    protected const CODE = 'rate_limited';
}
