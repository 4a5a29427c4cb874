<?php

declare(strict_types=1);

namespace ImpactConversions;

/** The deadline passed before a definitive answer: retry later with the same OrderId. */
final class TimeoutException extends ImpactException
{
    protected const CODE = 'timeout';
}
